import { describe, expect, it } from 'vitest';
import { VercelAIInstrumentation } from '../src/index.js';
import { clientVersion, requireClient } from '../test/utils/clients.js';
import { describeError, withAndWithout } from '../test/utils/harness.js';
import { responseModelOf } from '../test/utils/llm-server.js';
import { M } from '../test/utils/metrics.js';
import { setupInstrumentationTest } from '../test/utils/setup.js';

/**
 * The Vercel AI SDK (`ai` 7, Node >= 22: the Node 24 matrix) with `@ai-sdk/openai` and
 * `@ai-sdk/anthropic` against the simulator's OpenAI and Anthropic wires. The SDK's providers call
 * `fetch`, and llm-otel measures them through the SDK's telemetry integration interface: every
 * model call once, with the simulator's exact tokens (its ledger), while the openai
 * instrumentation is enabled too (it must count nothing here); the app's results and errors are the
 * same without us.
 */
const t = setupInstrumentationTest();
const vercel = new VercelAIInstrumentation();

type Fn = (options: Record<string, unknown>) => unknown;
interface AiModule {
  generateText: Fn;
  streamText: Fn;
  generateObject: Fn;
  streamObject: Fn;
  embed: Fn;
  embedMany: Fn;
}
const ai = requireClient('ai') as AiModule;
const { createOpenAI } = requireClient('@ai-sdk/openai') as { createOpenAI: Fn };
const { createAnthropic } = requireClient('@ai-sdk/anthropic') as { createAnthropic: Fn };
const { z } = requireClient('zod') as { z: { object: Fn; string: () => unknown } };

interface OpenAIProvider {
  chat(model: string): unknown;
  responses(model: string): unknown;
  embedding(model: string): unknown;
}
const openai = () => createOpenAI({ baseURL: t.server.openaiBaseURL, apiKey: 'test-key' }) as unknown as OpenAIProvider;
const anthropic = () =>
  createAnthropic({ baseURL: t.server.openaiBaseURL, apiKey: 'test-key' }) as unknown as (model: string) => unknown;
const prompt = 'hi';

function resetLedger(): void {
  t.server.ledger.clear();
}

/**
 * N successful model calls of `provider`, with the ledger's tokens; nothing else recorded. The
 * server address is there when the provider reports the request URL (`@ai-sdk/openai`'s chat
 * model does; its Responses, embedding and the Anthropic models do not).
 */
async function expectCalls(provider: string, operation: string, model: string, n = 1, withServer = false) {
  const c = await t.collect();
  const attrs = { 'gen_ai.provider.name': provider, 'gen_ai.operation.name': operation };
  // Counted once: no other series at all (the openai instrumentation, enabled, recorded nothing).
  expect(c.count(M.latency)).toBe(n);
  expect(c.count(M.latency, attrs)).toBe(n);
  expect(c.histogram(M.latency)[0]?.attributes).toMatchObject({
    ...attrs,
    'gen_ai.request.model': model,
    ...(withServer ? { 'server.address': '127.0.0.1', 'server.port': t.server.port } : {}),
  });
  const ledger = t.server.totals();
  expect(ledger.requests).toBe(n);
  expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(ledger.promptTokens);
  if (operation !== 'embeddings') {
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(ledger.completionTokens);
  }
  expect(c.counter(M.errors)).toBe(0);
  expect(c.counter(M.internalErrors)).toBe(0);
  expect(vercel.callsInFlight).toBe(0);
  return c;
}

async function text(stream: { textStream: AsyncIterable<string> }): Promise<string> {
  let out = '';
  for await (const piece of stream.textStream) out += piece;
  return out;
}

describe(`ai ${clientVersion('ai')} with @ai-sdk/openai ${clientVersion('@ai-sdk/openai')} and @ai-sdk/anthropic ${clientVersion('@ai-sdk/anthropic')}`, () => {
  it('generateText (openai chat): one call, the ledger tokens, response model; the same result for the app', async () => {
    const { instrumented, plain } = await withAndWithout(vercel, async () => {
      resetLedger();
      const r = (await ai.generateText({ model: openai().chat('gpt-test'), prompt, maxRetries: 0 })) as {
        text: string;
        usage: unknown;
        finishReason: string;
      };
      return { text: r.text, usage: r.usage, finishReason: r.finishReason };
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.text).toBe('Hello there');
    // Only the instrumented run was recorded (the ledger holds both).
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.count(M.ttft)).toBe(0);
    expect(c.histogram(M.latency)[0]?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.response.model': responseModelOf('gpt-test'),
    });
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(t.server.totals().promptTokens);
  });

  it('generateText (openai chat): exactly the ledger tokens, once, with the openai instrumentation enabled', async () => {
    // The openai client instrumentation is on (and has patched the loaded openai client) all along.
    expect(t.openai.isEnabled()).toBe(true);
    expect(t.openaiClients.length).toBeGreaterThan(0);
    resetLedger();
    await ai.generateText({ model: openai().chat('gpt-test'), prompt, maxRetries: 0 });
    await expectCalls('openai', 'chat', 'gpt-test', 1, true);
  });

  it('generateText (openai responses API): one call with the ledger tokens', async () => {
    resetLedger();
    await ai.generateText({ model: openai().responses('gpt-test'), prompt, maxRetries: 0 });
    await expectCalls('openai', 'chat', 'gpt-test');
  });

  it('streamText (openai chat): one streamed call, TTFT and TPOT once, the ledger tokens; the same text', async () => {
    const { instrumented, plain } = await withAndWithout(vercel, async () => {
      resetLedger();
      return text(ai.streamText({ model: openai().chat('gpt-test'), prompt, maxRetries: 0 }) as never);
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented).toBe('Hello there');
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.count(M.ttft)).toBe(1);
    expect(c.count(M.tpot)).toBe(1);
  });

  it('streamText (openai chat): exactly the ledger tokens', async () => {
    resetLedger();
    await text(ai.streamText({ model: openai().chat('gpt-test'), prompt, maxRetries: 0 }) as never);
    const c = await expectCalls('openai', 'chat', 'gpt-test', 1, true);
    expect(c.count(M.ttft)).toBe(1);
    expect(c.count(M.tpot)).toBe(1);
  });

  it('generateObject and streamObject: the model call is counted once with its tokens; the app gets the same error (the scripted text is no JSON)', async () => {
    const schema = z.object({ answer: z.string() });
    const { instrumented, plain } = await withAndWithout(vercel, async () => {
      resetLedger();
      try {
        await ai.generateObject({ model: openai().chat('gpt-test'), schema, prompt, maxRetries: 0 });
        return 'no error';
      } catch (error) {
        return describeError(error);
      }
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented).not.toBe('no error');
    const c1 = await t.collect();
    expect(c1.count(M.latency, { 'gen_ai.operation.name': 'chat' })).toBe(1);
    resetLedger();
    const s = ai.streamObject({ model: openai().chat('gpt-test'), schema, prompt, maxRetries: 0 }) as {
      partialObjectStream: AsyncIterable<unknown>;
      object: Promise<unknown>;
    };
    for await (const _ of s.partialObjectStream) {
      // drain
    }
    await s.object.catch(() => undefined);
    const c2 = await t.collect();
    expect(c2.count(M.latency)).toBe(2);
    expect(c2.count(M.ttft)).toBe(1);
    expect(c2.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(2 * t.server.totals().promptTokens);
    expect(vercel.callsInFlight).toBe(0);
  });

  it('embed and embedMany: operation embeddings, the input tokens of the ledger', async () => {
    resetLedger();
    const e = (await ai.embed({ model: openai().embedding('text-embedding-test'), value: 'a', maxRetries: 0 })) as {
      embedding: number[];
    };
    expect(e.embedding.length).toBeGreaterThan(0);
    await expectCalls('openai', 'embeddings', 'text-embedding-test');
    await ai.embedMany({ model: openai().embedding('text-embedding-test'), values: ['a', 'b'], maxRetries: 0 });
    await expectCalls('openai', 'embeddings', 'text-embedding-test', 2);
  });

  it('generateText and streamText with @ai-sdk/anthropic: provider anthropic, the ledger tokens (cache parts included)', async () => {
    resetLedger();
    await ai.generateText({ model: anthropic()('claude-test'), prompt, maxRetries: 0 });
    await expectCalls('anthropic', 'chat', 'claude-test');
    await text(ai.streamText({ model: anthropic()('claude-test'), prompt, maxRetries: 0 }) as never);
    const c = await expectCalls('anthropic', 'chat', 'claude-test', 2);
    expect(c.count(M.ttft)).toBe(1);
  });

  it('anthropic cache reads and writes: total input tokens, the cache parts as token details', async () => {
    resetLedger();
    await ai.generateText({ model: anthropic()('claude-test+cached-4+written-3'), prompt, maxRetries: 0 });
    const c = await expectCalls('anthropic', 'chat', 'claude-test+cached-4+written-3');
    expect(t.server.totals().cachedTokens).toBe(4);
    expect(c.counter(M.tokenDetail)).toBeGreaterThan(0);
  });

  it('a failing call (429): one call with error.type rate_limit; the app gets the same error', async () => {
    const { instrumented, plain } = await withAndWithout(vercel, async () => {
      try {
        await ai.generateText({ model: openai().chat('gpt-test+fail-429'), prompt, maxRetries: 0 });
        return 'no error';
      } catch (error) {
        return describeError(error);
      }
    });
    expect(instrumented).toEqual(plain);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors)).toBe(1);
    expect(c.counterSeries(M.errors)[0]?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'error.type': 'rate_limit',
    });
    expect(vercel.callsInFlight).toBe(0);
  });

  it('streamText aborted mid-stream by the app: one call with error.type aborted, none left open; the same text for the app', async () => {
    const read = async () => {
      const controller = new AbortController();
      const result = ai.streamText({
        model: openai().chat('gpt-test+drip-20'),
        prompt,
        maxRetries: 0,
        abortSignal: controller.signal,
      }) as { textStream: AsyncIterable<string> };
      let out = '';
      try {
        for await (const piece of result.textStream) {
          out += piece;
          controller.abort();
        }
      } catch (error) {
        return { out, error: describeError(error) };
      }
      return { out };
    };
    const { instrumented, plain } = await withAndWithout(vercel, read);
    expect(instrumented).toEqual(plain);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    expect(vercel.callsInFlight).toBe(0);
  });

  it('a call with telemetry.isEnabled false, or without the instrumentation, is not measured', async () => {
    await ai.generateText({
      model: openai().chat('gpt-test'),
      prompt,
      maxRetries: 0,
      experimental_telemetry: { isEnabled: false },
    });
    vercel.disable();
    try {
      await ai.generateText({ model: openai().chat('gpt-test'), prompt, maxRetries: 0 });
    } finally {
      vercel.enable();
    }
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(0);
  });
});
