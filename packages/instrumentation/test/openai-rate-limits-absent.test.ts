import { beforeAll, describe, expect, it } from 'vitest';
import { drain } from './utils/harness.js';
import { SCRIPT } from './utils/llm-server.js';
import { type Collected, M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

/**
 * A server without rate-limit headers leaves no rate-limit series: every call of this file (a
 * process of its own, so no earlier call left a series) goes to a server that sends none.
 */
const t = setupInstrumentationTest();
const messages = [{ role: 'user' as const, content: 'hi' }];

beforeAll(() => {
  t.server.setRateLimits(undefined);
});

function expectNoRateLimitSeries(c: Collected): void {
  for (const name of [M.rateLimitLimit, M.rateLimitRemaining, M.rateLimitReset]) {
    expect(c.counterSeries(name)).toEqual([]);
  }
}

describe.each(t.openaiClients)('openai $version', (loaded) => {
  const client = () => t.openaiClient(loaded);

  it('plain, streamed and failed calls: no rate-limit series, the calls recorded', async () => {
    await client().chat.completions.create({ model: 'gpt-test', messages });
    await drain(await client().chat.completions.create({ model: 'gpt-test', messages, stream: true }));
    await client()
      .chat.completions.create({ model: 'fail-429', messages })
      .catch(() => {});
    const c = await t.collect();
    expectNoRateLimitSeries(c);
    expect(c.count(M.latency)).toBe(3);
    expect(c.counter(M.invalidInput)).toBe(0);
  });

  it('the nolimits script part: a call without the headers even when the server has limits', async () => {
    t.server.setRateLimits({ requestsPerMinute: 100, tokensPerMinute: 10_000 });
    try {
      await client().chat.completions.create({ model: 'gpt-test', messages }, { headers: { [SCRIPT]: 'nolimits' } });
    } finally {
      t.server.setRateLimits(undefined);
    }
    expectNoRateLimitSeries(await t.collect());
  });
});

describe.each(t.ollamaClients)('ollama $version', (loaded) => {
  it('the Ollama wire has no rate-limit headers: no series', async () => {
    await t.ollamaClient(loaded).chat({ model: 'llama3.2', messages });
    const c = await t.collect();
    expectNoRateLimitSeries(c);
    expect(c.count(M.latency)).toBe(1);
  });
});
