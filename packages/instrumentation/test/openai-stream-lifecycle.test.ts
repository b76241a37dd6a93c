import { describe, expect, it } from 'vitest';
import { afterDeferredAbort, describeError, drain, withAndWithout } from './utils/harness.js';
import { OPENAI_USAGE } from './utils/llm-server.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const { server, openai: instrumentation } = t;
const clients = t.openaiClients;

const messages = [{ role: 'user' as const, content: 'Say hello' }];

describe.each(clients)('openai $version: streams', ({ OpenAI, major }) => {
  const client = () => new OpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseURL, maxRetries: 0 });
  const create = (model = 'gpt-test+drip-5', extra: Record<string, unknown> = {}) =>
    client().chat.completions.create({ model, messages, stream: true, ...extra });

  it('keeps the Stream class, controller, tee() and toReadableStream()', async () => {
    const instrumented = await create();
    instrumentation.disable();
    const plain = await create();
    instrumentation.enable();
    expect(instrumented.constructor).toBe(plain.constructor);
    expect(instrumented.controller).toBeInstanceOf(AbortController);
    expect(typeof instrumented.tee).toBe('function');
    expect(typeof instrumented.toReadableStream).toBe('function');
    await drain(instrumented);
    await drain(plain);
  });

  it('tee(): both branches see the app chunks; the call is recorded once with its usage', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const [left, right] = (await create()).tee();
      const [a, b] = await Promise.all([drain(left), drain(right)]);
      return { a: a.items, b: b.items };
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.a).toEqual(instrumented.b);
    expect(instrumented.a).toHaveLength(5);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
    expect(c.count(M.ttft)).toBe(1);
  });

  it('toReadableStream(): same bytes; recorded once with its usage', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const readable = (await create()).toReadableStream();
      return new Response(readable as ReadableStream).text();
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.trim().split('\n')).toHaveLength(5);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(OPENAI_USAGE.chat.input);
  });

  it('break mid-stream: recorded once as aborted, without tokens', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const stream = await create('gpt-test+drip-20');
      const seen: unknown[] = [];
      for await (const chunk of stream) {
        seen.push(chunk);
        if (seen.length === 2) break;
      }
      return { seen: seen.length, aborted: stream.controller.signal.aborted };
    });
    expect(instrumented).toEqual(plain);
    // Recorded when the loop left: the break calls the iterator's return().
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    expect(c.counter(M.errors)).toBe(1);
    expect(c.count(M.tokens)).toBe(0);
    expect(c.count(M.ttft)).toBe(1);
  });

  it('break after the finish reason: a complete call, not an abort', async () => {
    await withAndWithout(instrumentation, async () => {
      const stream = await create();
      for await (const chunk of stream) {
        if (chunk.choices[0]?.finish_reason) break;
      }
    });
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors)).toBe(0);
  });

  it('an exception in the loop body: the app gets its own error; recorded once as aborted', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      try {
        for await (const _chunk of await create('gpt-test+drip-20')) throw new Error('consumer failed');
      } catch (error) {
        return describeError(error);
      }
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented?.message).toBe('consumer failed');
    const c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    expect(c.count(M.latency)).toBe(1);
  });

  it('controller.abort() while reading: same outcome for the app; recorded once as aborted', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const stream = await create('gpt-test+drip-20');
      const result = { items: 0, error: undefined as unknown };
      try {
        for await (const _chunk of stream) {
          result.items++;
          if (result.items === 2) stream.controller.abort();
        }
      } catch (error) {
        result.error = describeError(error);
      }
      return result;
    });
    expect(instrumented).toEqual(plain);
    const c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    expect(c.count(M.latency)).toBe(1);
  });

  it('an abort signal of the app while reading: same outcome; recorded once as aborted', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const abort = new AbortController();
      const stream = await client().chat.completions.create(
        { model: 'gpt-test+drip-20', messages, stream: true },
        { signal: abort.signal },
      );
      const result = { items: 0, error: undefined as unknown };
      try {
        for await (const _chunk of stream) {
          result.items++;
          if (result.items === 2) abort.abort();
        }
      } catch (error) {
        result.error = describeError(error);
      }
      return result;
    });
    expect(instrumented).toEqual(plain);
    const c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    expect(c.count(M.latency)).toBe(1);
  });

  it('aborted before anyone reads it: recorded at the abort', async () => {
    const stream = await create();
    stream.controller.abort();
    await afterDeferredAbort();
    const c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    expect(c.count(M.latency)).toBe(1);
  });

  it('a stream cut mid-way: the app gets the same error; one error recorded', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const { items, error } = await drain(await create('gpt-test+cut'));
      return { items, error: describeError(error) };
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.items).toHaveLength(2);
    const c = await t.collect();
    expect(c.counter(M.errors)).toBe(1);
    // openai 5+ (undici) reports the cut socket as a connection error, 4.x (node-fetch) as a premature close: both connection.
    expect(c.counter(M.errors, { 'error.type': 'connection' })).toBe(1);
    expect(c.count(M.tokens)).toBe(0);
  });

  it('a slow first byte counts in the time to first token, measured from the request', async () => {
    // create() resolves with the headers, 120 ms after the request: a TTFT taken from the first read would be ~0.
    const stream = await create('gpt-test+slow-120');
    await drain(stream);
    const c = await t.collect();
    const ttft = c.histogram(M.ttft)[0];
    expect(ttft?.min).toBeGreaterThanOrEqual(0.12);
    expect(c.histogram(M.latency)[0]?.min).toBeGreaterThanOrEqual(0.12);
  });
});
