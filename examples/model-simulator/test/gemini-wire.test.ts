import { afterEach, describe, expect, it } from 'vitest';
import { functionToCall, geminiRoute } from '../src/gemini-wire.js';
import { ModelSimulator } from '../src/index.js';

describe('Gemini paths', () => {
  it('reads the model and the method of Gemini API and Vertex AI paths', () => {
    expect(geminiRoute('/v1beta/models/gemini-2.5-flash:generateContent')).toEqual({
      model: 'gemini-2.5-flash',
      method: 'generateContent',
    });
    expect(
      geminiRoute(
        '/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-x%2Bfail-429:streamGenerateContent',
      ),
    ).toEqual({ model: 'gemini-x+fail-429', method: 'streamGenerateContent' });
    expect(geminiRoute('/v1beta/models/text-embedding:batchEmbedContents')?.method).toBe('batchEmbedContents');
    expect(geminiRoute('/v1beta/models/gemini:countTokens')).toBeUndefined();
    expect(geminiRoute('/v1/chat/completions')).toBeUndefined();
  });

  it('calls the first declared function until the conversation answered one', () => {
    const tools = [{ functionDeclarations: [{ name: 'clock' }] }];
    expect(functionToCall({ tools, contents: [{ role: 'user', parts: [{ text: 'time?' }] }] })).toBe('clock');
    expect(
      functionToCall({ tools, contents: [{ role: 'user', parts: [{ functionResponse: { name: 'clock' } }] }] }),
    ).toBeUndefined();
    expect(functionToCall({ contents: [] })).toBeUndefined();
  });
});

describe('the Gemini wire in random mode', () => {
  const simulator = new ModelSimulator({ seed: 7, rateLimitRate: 0, serverErrorRate: 0 });
  afterEach(() => simulator.stop());
  const post = (origin: string, path: string, body: unknown) =>
    fetch(`${origin}${path}`, { method: 'POST', body: JSON.stringify(body) });

  it('JSON and SSE answers report the ledger tokens in usageMetadata, complete in the last event', async () => {
    const origin = await simulator.start();
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    const json = (await (await post(origin, '/v1beta/models/gemini-2.5-flash:generateContent', body)).json()) as {
      usageMetadata: { promptTokenCount: number; candidatesTokenCount: number };
      modelVersion: string;
    };
    expect(json.modelVersion).toBe('gemini-2.5-flash');
    const sse = await (await post(origin, '/v1beta/models/gemini-2.5-flash:streamGenerateContent', body)).text();
    const events = sse
      .split('\r\n\r\n')
      .filter((e) => e.startsWith('data: '))
      .map(
        (e) => JSON.parse(e.slice(6)) as { usageMetadata: { promptTokenCount: number; candidatesTokenCount?: number } },
      );
    const last = events[events.length - 1]?.usageMetadata;
    const sent = simulator.totals();
    expect(sent.requests).toBe(2);
    expect(json.usageMetadata.promptTokenCount + (last?.promptTokenCount ?? 0)).toBe(sent.promptTokens);
    expect(json.usageMetadata.candidatesTokenCount + (last?.candidatesTokenCount ?? 0)).toBe(sent.completionTokens);
    // The events before the last carry the prompt side only.
    expect(events.slice(0, -1).every((e) => e.usageMetadata.candidatesTokenCount === undefined)).toBe(true);
  });
});
