import { describe, expect, it } from 'vitest';
import { describeValue, drain, withAndWithout } from './utils/harness.js';
import { OPENAI_USAGE } from './utils/llm-server.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const { server, openai: instrumentation } = t;
const clients = t.openaiClients;

const messages = [{ role: 'user' as const, content: 'Say hello' }];

describe.each(clients)('openai $version: chat.completions.create', ({ OpenAI }) => {
  const client = () => new OpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseURL, maxRetries: 0 });
  const attrs = (model: string) => ({
    'gen_ai.provider.name': 'openai_compatible',
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': model,
    'gen_ai.response.model': `${model}-2024-07-18`,
    'server.address': '127.0.0.1',
    'server.port': server.port,
  });

  it('plain: same value as without instrumentation; one call with the server usage', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () =>
      describeValue(await client().chat.completions.create({ model: 'gpt-test+slow-60', messages })),
    );
    expect(instrumented).toEqual(plain);
    expect(instrumented.requestId).toBe('req_fake');

    const c = await t.collect();
    const a = attrs('gpt-test+slow-60');
    expect(c.count(M.latency, a)).toBe(1);
    expect(c.count(M.latency)).toBe(1);
    expect(c.histogram(M.latency, a)[0]?.min).toBeGreaterThanOrEqual(0.06);
    expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'input' })).toBe(OPENAI_USAGE.chat.input);
    expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
    expect(c.counter(M.generated, a)).toBe(OPENAI_USAGE.chat.output);
    expect(c.counter(M.errors)).toBe(0);
    expect(c.count(M.ttft)).toBe(0);
  });

  it('stream: asks for usage, hides the usage chunk, records tokens, TTFT and latency', async () => {
    const model = 'gpt-test+slow-50+wait-30+drip-10';
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const stream = await client().chat.completions.create({ model, messages, stream: true });
      const sent = server.lastRequest()?.body;
      return { sent, ...(await drain(stream)) };
    });
    expect(instrumented.items).toEqual(plain.items);
    expect(instrumented.items).toHaveLength(5);
    expect(instrumented.items.every((chunk) => !Object.hasOwn(chunk as object, 'usage'))).toBe(true);
    expect(instrumented.sent?.stream_options).toEqual({ include_usage: true });
    expect(plain.sent?.stream_options).toBeUndefined();

    const c = await t.collect();
    const a = attrs(model);
    expect(c.count(M.latency, a)).toBe(1);
    const latency = c.histogram(M.latency, a)[0];
    expect(latency?.min).toBeGreaterThanOrEqual(0.08 + 0.03);
    expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'input' })).toBe(OPENAI_USAGE.chat.input);
    expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
    const ttft = c.histogram(M.ttft, a)[0];
    expect(ttft?.count).toBe(1);
    // From the request, not from the first iteration: includes the 50 ms to headers and 30 ms to the first chunk.
    expect(ttft?.min).toBeGreaterThanOrEqual(0.08);
    expect(ttft?.max).toBeLessThanOrEqual(latency?.max ?? 0);
    expect(c.count(M.tpot, a)).toBe(1);
    expect(c.counter(M.errors)).toBe(0);
  });

  it('stream: leaves stream_options the app set alone and shows it the usage it asked for', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const stream = await client().chat.completions.create({
        model: 'gpt-test',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      return drain(stream);
    });
    expect(instrumented.items).toEqual(plain.items);
    expect(instrumented.items).toHaveLength(6);
    const c = await t.collect();
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
  });

  it('stream: records no tokens when the app turned usage off', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const stream = await client().chat.completions.create({
        model: 'gpt-test',
        messages,
        stream: true,
        stream_options: { include_usage: false },
      });
      return drain(stream);
    });
    expect(instrumented.items).toEqual(plain.items);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.count(M.tokens)).toBe(0);
    expect(c.counter(M.generated)).toBe(0);
    expect(c.count(M.ttft)).toBe(1);
  });
});
