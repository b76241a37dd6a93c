import { expect, it } from 'vitest';
import { flushRateLimitHeaders } from '../src/index.js';
import { setupAnthropicTest } from './utils/anthropic.js';
import { drain } from './utils/harness.js';
import { M } from './utils/metrics.js';

/**
 * A server without `anthropic-ratelimit-*` headers (a gateway, say) leaves no rate-limit series:
 * every call of this file (a process of its own, so no earlier call left a series) gets none.
 */
const a = setupAnthropicTest();
const messages = [{ role: 'user' as const, content: 'hi' }];

it('plain, streamed and failed calls without the headers: no rate-limit series, the calls recorded', async () => {
  const client = a.client();
  const body = { model: 'claude-test+nolimits', max_tokens: 64, messages };
  await client.messages.create(body);
  await drain(await client.messages.create({ ...body, stream: true }));
  await client.messages.create({ ...body, model: 'fail-529+nolimits' }).catch(() => undefined);
  flushRateLimitHeaders();
  const c = await a.t.collect();
  for (const name of [M.rateLimitLimit, M.rateLimitRemaining, M.rateLimitReset]) {
    expect(c.counterSeries(name)).toEqual([]);
  }
  expect(c.count(M.latency)).toBe(3);
  expect(c.counter(M.invalidInput)).toBe(0);
  expect(c.counter(M.internalErrors)).toBe(0);
});

it('the providerName option names the provider of the calls (a gateway in front of Anthropic)', async () => {
  const before = a.anthropic.getConfig();
  a.anthropic.setConfig({ ...before, providerName: 'my_gateway' });
  try {
    await a.client().messages.create({ model: 'claude-test+nolimits', max_tokens: 64, messages });
  } finally {
    a.anthropic.setConfig(before);
  }
  const c = await a.t.collect();
  expect(c.count(M.latency, { 'gen_ai.provider.name': 'my_gateway' })).toBe(1);
  expect(c.count(M.latency, { 'gen_ai.provider.name': 'anthropic' })).toBe(0);
});
