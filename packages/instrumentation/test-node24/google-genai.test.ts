import type { GoogleGenAI as GoogleGenAIClient } from '@google/genai';
import { getLlmMetrics, type ModelPrice } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { GoogleGenAIInstrumentation } from '../src/index.js';
import { clientVersion, requireClient } from '../test/utils/clients.js';
import {
  afterDeferredAbort,
  describeError,
  drain,
  errorsWithAndWithout,
  withAndWithout,
} from '../test/utils/harness.js';
import { SCRIPT } from '../test/utils/llm-server.js';
import { type Collected, M } from '../test/utils/metrics.js';
import { setupInstrumentationTest } from '../test/utils/setup.js';

/**
 * Google's Gen AI client (`@google/genai` 3, Node >= 22: the Node 24 matrix), loaded through
 * `require` after the instrumentation (so its require hook patches it), against the simulator's
 * Gemini wire: exact tokens (the simulator's ledger), latency, TTFT, cost from core's price table,
 * chats counted once, errors and aborts by type, and the app's results and errors the same without
 * us.
 */
const t = setupInstrumentationTest();
const google = new GoogleGenAIInstrumentation();

type GoogleGenAIClass = new (options: Record<string, unknown>) => GoogleGenAIClient;
const genai = requireClient('@google/genai') as { GoogleGenAI: GoogleGenAIClass };
const VERSION = clientVersion('@google/genai');

function client(options: { script?: string; vertexai?: boolean } = {}): GoogleGenAIClient {
  return new genai.GoogleGenAI({
    apiKey: 'test-key',
    ...(options.vertexai ? { vertexai: true } : {}),
    httpOptions: {
      baseUrl: t.server.origin,
      ...(options.script ? { headers: { [SCRIPT]: options.script } } : {}),
    },
  });
}

const contents = 'hi';
const MODEL = 'gemini-2.5-flash';

/** The app's view of a response: its JSON without the HTTP headers object (a Headers instance). */
function appView(value: unknown): unknown {
  const { sdkHttpResponse: _headers, ...rest } = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  return { class: (value as object).constructor.name, ...rest };
}

function byType(c: Collected, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of c.counterSeries(name)) {
    const type = String(s.attributes['gen_ai.token.type']);
    out[type] = (out[type] ?? 0) + s.value;
  }
  return out;
}

/**
 * One call of `operation` recorded, with the ledger's tokens, nothing else. `requests`: the
 * simulator's requests (a with/without comparison sends two alike, of which only one is measured).
 */
async function expectOneCall(
  operation: string,
  model: string,
  { provider = 'gcp.gemini', requests = 1 } = {},
): Promise<Collected> {
  const c = await t.collect();
  expect(c.count(M.latency)).toBe(1);
  expect(c.histogram(M.latency)[0]?.attributes).toMatchObject({
    'gen_ai.provider.name': provider,
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': model,
    'server.address': '127.0.0.1',
    'server.port': t.server.port,
  });
  const sent = t.server.totals();
  expect(sent.requests).toBe(requests);
  expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(sent.promptTokens / requests);
  if (operation !== 'embeddings')
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(sent.completionTokens / requests);
  expect(c.counter(M.errors)).toBe(0);
  expect(c.counter(M.internalErrors)).toBe(0);
  return c;
}

describe(`@google/genai ${VERSION}: models`, () => {
  it('generateContent: one chat call with the ledger tokens, the response model; the app gets the same response', async () => {
    t.server.ledger.clear();
    const { instrumented, plain } = await withAndWithout(google, () =>
      client().models.generateContent({ model: MODEL, contents }),
    );
    expect(appView(instrumented)).toEqual(appView(plain));
    expect(instrumented.text).toBe('Hello there');
    const c = await expectOneCall('chat', MODEL, { requests: 2 });
    expect(c.histogram(M.latency)[0]?.attributes['gen_ai.response.model']).toBe(MODEL);
    expect(c.count(M.ttft)).toBe(0);
  });

  it('a model named as a resource (models/...) is recorded by its name', async () => {
    t.server.ledger.clear();
    await client().models.generateContent({ model: `models/${MODEL}`, contents });
    await expectOneCall('chat', MODEL);
  });

  it('generateContentStream: tokens from the last chunk, one TTFT and one time per token; the app gets the same chunks', async () => {
    t.server.ledger.clear();
    const run = async () => drain(await client().models.generateContentStream({ model: MODEL, contents }));
    const { instrumented, plain } = await withAndWithout(google, run);
    expect(instrumented).toEqual(plain);
    expect(instrumented.items).toHaveLength(3);
    const c = await expectOneCall('chat', MODEL, { requests: 2 });
    expect(c.count(M.ttft)).toBe(1);
    expect(c.count(M.tpot)).toBe(1);
    expect(c.counter(M.internalErrors)).toBe(0);
  });

  it('embedContent: one embeddings call with the prompt tokens; the app gets the same embeddings', async () => {
    t.server.ledger.clear();
    const run = () => client().models.embedContent({ model: 'gemini-embedding-001', contents: ['a', 'b'] });
    const { instrumented, plain } = await withAndWithout(google, run);
    expect(appView(instrumented)).toEqual(appView(plain));
    expect(instrumented.embeddings).toHaveLength(2);
    await expectOneCall('embeddings', 'gemini-embedding-001', { requests: 2 });
  });
});

describe(`@google/genai ${VERSION}: automatic function calling`, () => {
  it('each round is its own call with its own usage (the SDK returns the last round only)', async () => {
    t.server.ledger.clear();
    const calls: unknown[] = [];
    const clock = {
      tool: async () => ({ functionDeclarations: [{ name: 'clock', description: 'The time' }] }),
      callTool: async (functionCalls: unknown[]) => {
        calls.push(...functionCalls);
        return [{ functionResponse: { name: 'clock', response: { time: 'noon' } } }];
      },
    };
    const response = await client().models.generateContent({ model: MODEL, contents, config: { tools: [clock] } });
    expect(response.text).toBe('Hello there');
    expect(calls).toHaveLength(1);
    const sent = t.server.totals();
    expect(sent.requests).toBe(2);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(2);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(sent.promptTokens);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(sent.completionTokens);
    // What the app sees covers the last round only.
    expect(response.usageMetadata?.promptTokenCount).toBe(sent.promptTokens / 2);
  });
});

describe(`@google/genai ${VERSION}: chats`, () => {
  it('sendMessage and sendMessageStream are counted once each (they call the models module)', async () => {
    t.server.ledger.clear();
    const chat = client().chats.create({ model: MODEL });
    const reply = await chat.sendMessage({ message: 'hi' });
    expect(reply.text).toBe('Hello there');
    const stream = await drain(await chat.sendMessageStream({ message: 'again' }));
    expect(stream.items).toHaveLength(3);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(2);
    expect(c.count(M.ttft)).toBe(1);
    const sent = t.server.totals();
    expect(sent.requests).toBe(2);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(sent.promptTokens);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(sent.completionTokens);
  });
});

describe(`@google/genai ${VERSION}: Gemini counting and cost`, () => {
  function priceOf(model: string): ModelPrice {
    const price = getLlmMetrics().getPriceTable().lookup('gcp.gemini', model);
    if (price === undefined) throw new Error(`no price for gcp.gemini ${model}`);
    return price;
  }

  it.each([
    ['plain', false],
    ['streamed', true],
  ])(
    '%s: thoughts outside candidatesTokenCount and cached content inside promptTokenCount; cost = tokens x price',
    async (_name, stream) => {
      t.server.ledger.clear();
      const ai = client({ script: 'cached-4+reason-3' });
      if (stream) await drain(await ai.models.generateContentStream({ model: MODEL, contents }));
      else await ai.models.generateContent({ model: MODEL, contents });
      const sent = t.server.totals();
      expect(sent).toMatchObject({ cachedTokens: 4, reasoningTokens: 3 });
      const c = await t.collect();
      // The output total includes the thoughts (the ledger's completion tokens), the input the cache.
      expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(sent.promptTokens);
      expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(sent.completionTokens);
      expect(byType(c, M.tokenDetail)).toEqual({ cached_input: 4, reasoning: 3 });
      const price = priceOf(MODEL);
      const cost = byType(c, M.cost);
      const expected: Record<string, number> = {
        input: ((sent.promptTokens - 4) * price.input) / 1e6,
        cached_input: (4 * (price.cachedInput ?? 0)) / 1e6,
        // Gemini's thoughts are priced at the output price, under a token type of their own.
        output: ((sent.completionTokens - 3) * price.output) / 1e6,
        reasoning: (3 * price.output) / 1e6,
      };
      expect(Object.keys(cost).sort()).toEqual(Object.keys(expected).sort());
      for (const [type, usd] of Object.entries(expected)) expect(cost[type]).toBeCloseTo(usd, 15);
      expect(c.counter(M.unpriced)).toBe(0);
      expect(c.counter(M.invalidInput)).toBe(0);
    },
  );

  it('thoughts streamed first: the first token is the first thought, and the thoughts are timed', async () => {
    t.server.ledger.clear();
    const ai = client({ script: 'think+reason-3' });
    const { items } = await drain(await ai.models.generateContentStream({ model: MODEL, contents }));
    expect(items).toHaveLength(4);
    const c = await t.collect();
    expect(c.count(M.ttft)).toBe(1);
    expect(c.count(M.tpot)).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(t.server.totals().completionTokens);
  });

  it('a Vertex AI client is provider gcp.vertex_ai', async () => {
    t.server.ledger.clear();
    await client({ vertexai: true }).models.generateContent({ model: MODEL, contents });
    await expectOneCall('chat', MODEL, { provider: 'gcp.vertex_ai' });
  });
});

describe(`@google/genai ${VERSION}: errors and aborts`, () => {
  it('a 429 is error.type rate_limit; the app gets the same ApiError', async () => {
    const run = () => client({ script: 'fail-429' }).models.generateContent({ model: MODEL, contents });
    const { instrumented, plain } = await errorsWithAndWithout(google, run);
    expect(describeError(instrumented)).toEqual(describeError(plain));
    expect(describeError(instrumented)).toMatchObject({ class: 'ApiError', status: 429 });
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors, { 'error.type': 'rate_limit', 'gen_ai.provider.name': 'gcp.gemini' })).toBe(1);
  });

  it('a stream whose error event says 503 is error.type unavailable; the app gets the same chunks and error', async () => {
    const run = async () =>
      drain(await client({ script: 'streamerror' }).models.generateContentStream({ model: MODEL, contents }));
    const { instrumented, plain } = await withAndWithout(google, run);
    expect(instrumented.items).toEqual(plain.items);
    expect(describeError(instrumented.error)).toEqual(describeError(plain.error));
    expect(describeError(instrumented.error)).toMatchObject({ class: 'ApiError', status: 503 });
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors, { 'error.type': 'unavailable' })).toBe(1);
    expect(c.counter(M.internalErrors)).toBe(0);
  });

  it('config.abortSignal aborted before the answer: error.type aborted, the app gets the abort', async () => {
    const controller = new AbortController();
    const received = t.server.nextRequest();
    const call = client({ script: 'slow-5000' }).models.generateContent({
      model: MODEL,
      contents,
      config: { abortSignal: controller.signal },
    });
    await received;
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    const c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
  });

  it('a stream aborted through config.abortSignal while nobody reads is recorded as aborted', async () => {
    const controller = new AbortController();
    const stream = await client({ script: 'wait-5000' }).models.generateContentStream({
      model: MODEL,
      contents,
      config: { abortSignal: controller.signal },
    });
    controller.abort();
    await afterDeferredAbort();
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    await drain(stream);
    expect((await t.collect()).count(M.latency)).toBe(1);
  });

  it('the app that stops reading before the finish reason: aborted; after it: a success', async () => {
    const early = await client({ script: 'drip-5' }).models.generateContentStream({ model: MODEL, contents });
    for await (const _chunk of early) break;
    let c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    const whole = await client().models.generateContentStream({ model: MODEL, contents });
    for await (const chunk of whole) if (chunk.candidates?.[0]?.finishReason) break;
    c = await t.collect();
    expect(c.count(M.latency)).toBe(2);
    expect(c.counter(M.errors)).toBe(1);
  });
});
