import { describe, expect, it } from 'vitest';
import { describeError, errorsWithAndWithout } from './utils/harness.js';
import { llmTestServer } from './utils/llm-server.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const { server, openai: instrumentation } = t;
const clients = t.openaiClients;

const messages = [{ role: 'user' as const, content: 'Say hello' }];
const STATUS_TYPES: Array<[number, string]> = [
  [400, 'invalid_request'],
  [401, 'authentication'],
  [429, 'rate_limit'],
  [500, 'server_error'],
];

describe.each(clients)('openai $version: failures', ({ OpenAI }) => {
  const client = (options: Record<string, unknown> = {}) =>
    new OpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseURL, maxRetries: 0, ...options });

  it.each(STATUS_TYPES)('HTTP %i: the same error for the app; one error with error.type %s', async (status, type) => {
    const model = `fail-${status}`;
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client().chat.completions.create({ model, messages }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    expect(describeError(instrumented).status).toBe(status);
    const c = await t.collect();
    expect(c.counter(M.errors)).toBe(1);
    expect(c.counter(M.errors, { 'error.type': type, 'gen_ai.request.model': model })).toBe(1);
    expect(c.count(M.latency, { 'error.type': type })).toBe(1);
    expect(c.count(M.tokens)).toBe(0);
  });

  it('a streamed request that fails before the stream: one error', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client().chat.completions.create({ model: 'fail-429', messages, stream: true }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'rate_limit' })).toBe(1);
    expect(c.count(M.ttft)).toBe(0);
  });

  it('retries: one call, one error, latency covering the attempts', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client({ maxRetries: 2 }).chat.completions.create({ model: 'fail-500+slow-20', messages }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await t.collect();
    expect(c.counter(M.errors)).toBe(1);
    expect(c.histogram(M.latency)[0]?.min).toBeGreaterThanOrEqual(0.06);
  });

  it('connection refused: error.type connection', async () => {
    const closed = llmTestServer();
    await closed.start();
    const baseURL = closed.openaiBaseURL;
    await closed.stop();
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client({ baseURL }).chat.completions.create({ model: 'gpt-test', messages }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'connection' })).toBe(1);
  });

  it('client timeout: error.type timeout', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client({ timeout: 50 }).chat.completions.create({ model: 'gpt-test+slow-300', messages }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'timeout' })).toBe(1);
  });

  it('the app aborts before the response: error.type aborted', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, async () => {
      const abort = new AbortController();
      const received = server.nextRequest();
      const call = client().chat.completions.create({ model: 'gpt-test+slow-300', messages }, { signal: abort.signal });
      // Abort once the server has the request and is still before its headers.
      await received;
      abort.abort();
      return call;
    });
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    expect(c.counter(M.errors)).toBe(1);
  });
});
