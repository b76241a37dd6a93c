import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeLlmServer } from './utils/fake-llm-server.js';
import { describeError, errorsWithAndWithout, instrumentOpenAI } from './utils/harness.js';
import { M, TestMetrics } from './utils/metrics.js';

const { instrumentation, clients } = instrumentOpenAI();
const server = new FakeLlmServer();
let testMetrics: TestMetrics;

beforeAll(() => server.start());
afterAll(() => server.close());
beforeEach(() => {
  testMetrics = TestMetrics.install();
});

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
    const c = await testMetrics.collect();
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
    const c = await testMetrics.collect();
    expect(c.counter(M.errors, { 'error.type': 'rate_limit' })).toBe(1);
    expect(c.count(M.ttft)).toBe(0);
  });

  it('retries: one call, one error, latency covering the attempts', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client({ maxRetries: 2 }).chat.completions.create({ model: 'fail-500+slow-20', messages }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await testMetrics.collect();
    expect(c.counter(M.errors)).toBe(1);
    expect(c.histogram(M.latency)[0]?.min).toBeGreaterThanOrEqual(0.06);
  });

  it('connection refused: error.type connection', async () => {
    const closed = new FakeLlmServer();
    await closed.start();
    const baseURL = closed.openaiBaseURL;
    await closed.close();
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client({ baseURL }).chat.completions.create({ model: 'gpt-test', messages }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await testMetrics.collect();
    expect(c.counter(M.errors, { 'error.type': 'connection' })).toBe(1);
  });

  it('client timeout: error.type timeout', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client({ timeout: 50 }).chat.completions.create({ model: 'gpt-test+slow-300', messages }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await testMetrics.collect();
    expect(c.counter(M.errors, { 'error.type': 'timeout' })).toBe(1);
  });

  it('the app aborts before the response: error.type aborted', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () => {
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 30);
      return client().chat.completions.create({ model: 'gpt-test+slow-300', messages }, { signal: abort.signal });
    });
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await testMetrics.collect();
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    expect(c.counter(M.errors)).toBe(1);
  });
});
