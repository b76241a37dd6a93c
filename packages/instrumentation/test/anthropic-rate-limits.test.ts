import { afterEach, describe, expect, it } from 'vitest';
import { flushRateLimitHeaders } from '../src/index.js';
import { setupAnthropicTest } from './utils/anthropic.js';
import { describeError, describeValue, errorsWithAndWithout, withAndWithout } from './utils/harness.js';
import { type Collected, M } from './utils/metrics.js';

/**
 * Rate-limit headroom from the `anthropic-ratelimit-*` headers of every Anthropic call, success or
 * failure, read without the body (scheme `anthropic`): the gauges equal the headers of the latest
 * call. Resets are RFC 3339 times, turned into seconds from when the response was read: they are
 * checked between the bounds the test's own clock gives.
 */
const a = setupAnthropicTest();
const { t } = a;
const messages = [{ role: 'user' as const, content: 'hi' }];
const KINDS = [
  ['requests', 'requests'],
  ['tokens', 'tokens'],
  ['input_tokens', 'input-tokens'],
  ['output_tokens', 'output-tokens'],
] as const;

afterEach(() => {
  flushRateLimitHeaders();
  t.server.headerOverrides = undefined;
  t.server.setRateLimits({ requestsPerMinute: 10_000, tokensPerMinute: 2_000_000 });
});

async function collect(): Promise<Collected> {
  flushRateLimitHeaders();
  return t.collect();
}

function gauge(c: Collected, name: string, kind: string): number | undefined {
  const series = c.counterSeries(name, {
    'llm.rate_limit.kind': kind,
    'gen_ai.provider.name': 'anthropic',
    'server.address': '127.0.0.1',
  });
  expect(series.length).toBeLessThanOrEqual(1);
  return series[0]?.value;
}

/** Checks every kind's gauges against the headers; `before`/`after` bound when the response was read. */
function expectGaugesEqualHeaders(
  c: Collected,
  get: (name: string) => string | null | undefined,
  before: number,
  after: number,
): void {
  for (const [kind, part] of KINDS) {
    const prefix = `anthropic-ratelimit-${part}`;
    expect(gauge(c, M.rateLimitLimit, kind)).toBe(Number(get(`${prefix}-limit`)));
    expect(gauge(c, M.rateLimitRemaining, kind)).toBe(Number(get(`${prefix}-remaining`)));
    const resetAt = Date.parse(String(get(`${prefix}-reset`)));
    const reset = gauge(c, M.rateLimitReset, kind) ?? Number.NaN;
    expect(reset).toBeLessThanOrEqual((resetAt - before) / 1000);
    expect(reset).toBeGreaterThanOrEqual((resetAt - after) / 1000);
  }
}

describe(`@anthropic-ai/sdk ${a.loaded.version}: rate limits`, () => {
  it('success: the gauges equal the headers of the latest call, per kind, labelled by provider and server', async () => {
    await a.client().messages.create({ model: 'claude-test', max_tokens: 64, messages });
    const before = Date.now();
    const { response } = await a
      .client()
      .messages.create({ model: 'claude-test', max_tokens: 64, messages })
      .withResponse();
    const c = await collect();
    const after = Date.now();
    expectGaugesEqualHeaders(c, (name) => response.headers.get(name), before, after);
    expect(Number(response.headers.get('anthropic-ratelimit-requests-remaining'))).toBe(
      Number(response.headers.get('anthropic-ratelimit-requests-limit')) - 2,
    );
    for (const one of c.counterSeries(M.rateLimitLimit, { 'gen_ai.provider.name': 'anthropic' })) {
      expect(Object.keys(one.attributes).sort()).toEqual([
        'gen_ai.provider.name',
        'llm.rate_limit.kind',
        'server.address',
      ]);
    }
    expect(c.counter(M.invalidInput)).toBe(0);
  });

  it('a 429 refused by a full window: the same error for the app; the gauges equal its headers', async () => {
    t.server.setRateLimits({ requestsPerMinute: 1, tokensPerMinute: 2_000_000 });
    await a.client().messages.create({ model: 'claude-test', max_tokens: 64, messages });
    const before = Date.now();
    const { instrumented, plain } = await errorsWithAndWithout(a.anthropic, () =>
      a.client().messages.create({ model: 'claude-test', max_tokens: 64, messages }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const headers = (instrumented as { headers: Headers }).headers;
    expect(headers.get('retry-after')).toMatch(/^\d+$/);
    const c = await collect();
    const after = Date.now();
    expect(gauge(c, M.rateLimitRemaining, 'requests')).toBe(0);
    expectGaugesEqualHeaders(c, (name) => headers.get(name), before, after);
    expect(c.counter(M.errors, { 'error.type': 'rate_limit' })).toBe(1);
  });

  it('malformed values are counted and ignored; the valid headers of the response are recorded; the app sees the same', async () => {
    t.server.headerOverrides = {
      'anthropic-ratelimit-requests-remaining': 'abc',
      'anthropic-ratelimit-tokens-reset': 'tomorrow',
      'anthropic-ratelimit-output-tokens-limit': '777',
    };
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () =>
      describeValue(await a.client().messages.create({ model: 'claude-test', max_tokens: 64, messages })),
    );
    expect(instrumented).toEqual(plain);
    const c = await collect();
    expect(c.counter(M.invalidInput)).toBe(2);
    expect(gauge(c, M.rateLimitLimit, 'output_tokens')).toBe(777);
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors)).toBe(0);
  });
});
