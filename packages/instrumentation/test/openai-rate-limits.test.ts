import { parseGoDuration } from '@llm-otel/core/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { flushRateLimitHeaders, RATE_LIMIT_READ_INTERVAL_MS, rateLimitHeadersRead } from '../src/openai/headroom.js';
import { describeError, describeValue, drain, errorsWithAndWithout, withAndWithout } from './utils/harness.js';
import { type Collected, M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

/**
 * Rate-limit headroom from the response headers of every openai call, success or failure, read
 * without reading the body: the gauges equal the headers of the latest call, malformed headers are
 * counted and change nothing for the app. The gauges keep their latest value across tests (core's
 * state is process-wide), so each test looks at the values its own calls set; a server without such
 * headers is tested in openai-rate-limits-absent.test.ts, in a process of its own.
 */
const t = setupInstrumentationTest();
const messages = [{ role: 'user' as const, content: 'hi' }];
const KINDS = ['requests', 'tokens'] as const;

/**
 * Collects after reading the responses the instrumentation kept: within 250 ms of a read, the
 * latest response of a provider and server waits for the end of that time (see src/openai/headroom.ts).
 */
async function collect(): Promise<Collected> {
  flushRateLimitHeaders();
  return t.collect();
}

afterEach(() => {
  flushRateLimitHeaders();
  t.server.headerOverrides = undefined;
  t.server.setRateLimits({ requestsPerMinute: 10_000, tokensPerMinute: 2_000_000 });
});

/** The value of a rate-limit gauge of the test server for a kind (undefined when there is no series). */
function gauge(c: Collected, name: string, kind: string, provider = 'openai_compatible'): number | undefined {
  const series = c.counterSeries(name, {
    'llm.rate_limit.kind': kind,
    'gen_ai.provider.name': provider,
    'server.address': '127.0.0.1',
  });
  expect(series.length).toBeLessThanOrEqual(1);
  return series[0]?.value;
}

/** What the headers say, per kind: limit, remaining, seconds to reset. */
function fromHeaders(get: (name: string) => string | null | undefined) {
  return Object.fromEntries(
    KINDS.map((kind) => {
      const reset = parseGoDuration(String(get(`x-ratelimit-reset-${kind}`)));
      return [
        kind,
        {
          limit: Number(get(`x-ratelimit-limit-${kind}`)),
          remaining: Number(get(`x-ratelimit-remaining-${kind}`)),
          reset: reset.ok ? reset.value : Number.NaN,
        },
      ];
    }),
  );
}

function fromGauges(c: Collected) {
  return Object.fromEntries(
    KINDS.map((kind) => [
      kind,
      {
        limit: gauge(c, M.rateLimitLimit, kind),
        remaining: gauge(c, M.rateLimitRemaining, kind),
        reset: gauge(c, M.rateLimitReset, kind),
      },
    ]),
  );
}

/** Error headers: fetch Headers (openai 5+) or a plain record (openai 4). */
function errorHeaderGetter(error: unknown): (name: string) => string | null | undefined {
  const headers = (error as { headers: unknown }).headers as
    | { get(name: string): string | null }
    | Record<string, string>;
  return typeof headers.get === 'function'
    ? (name) => (headers as { get(name: string): string | null }).get(name)
    : (name) => (headers as Record<string, string>)[name];
}

/** Response headers as the app sees them, without `date` (which changes between two calls). */
function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name !== 'date') out[name] = value;
  });
  return out;
}

/** Rate-limit headers pinned to fixed values, so two calls see the same headers. */
const PINNED = {
  'x-ratelimit-limit-requests': '500',
  'x-ratelimit-remaining-requests': '499',
  'x-ratelimit-reset-requests': '120ms',
  'x-ratelimit-limit-tokens': '200000',
  'x-ratelimit-remaining-tokens': '199982',
  'x-ratelimit-reset-tokens': '6m0s',
};

describe.each(t.openaiClients)('openai $version', (loaded) => {
  const client = () => t.openaiClient(loaded);

  it('success: the gauges equal the headers of the latest call, labelled by provider, server and kind', async () => {
    await client().chat.completions.create({ model: 'gpt-test', messages });
    const { response } = await client().chat.completions.create({ model: 'gpt-test', messages }).withResponse();
    const c = await collect();
    const sent = fromHeaders((name) => response.headers.get(name));
    expect(fromGauges(c)).toEqual(sent);
    // The second call of the window: one request fewer than the limit allows, then two.
    expect(sent.requests?.remaining).toBe((sent.requests?.limit ?? 0) - 2);
    for (const name of [M.rateLimitLimit, M.rateLimitRemaining, M.rateLimitReset]) {
      const series = c.counterSeries(name, { 'gen_ai.provider.name': 'openai_compatible' });
      expect(series).toHaveLength(KINDS.length);
      for (const one of series) {
        expect(one.attributes).toEqual({
          'gen_ai.provider.name': 'openai_compatible',
          'server.address': '127.0.0.1',
          'llm.rate_limit.kind': one.attributes['llm.rate_limit.kind'],
        });
      }
    }
  });

  it(`calls within ${RATE_LIMIT_READ_INTERVAL_MS} ms: the latest one is read when that time is over`, async () => {
    t.server.headerOverrides = PINNED;
    await client().chat.completions.create({ model: 'gpt-test', messages });
    flushRateLimitHeaders();
    for (const remaining of ['300', '200', '100']) {
      t.server.headerOverrides = { ...PINNED, 'x-ratelimit-remaining-requests': remaining };
      await client().chat.completions.create({ model: 'gpt-test', messages });
    }
    // The later calls came within the interval of the first read (unless the machine is very slow):
    // the latest is kept, and the instrumentation's own timer reads it. No flush here.
    await rateLimitHeadersRead();
    expect(gauge(await t.collect(), M.rateLimitRemaining, 'requests')).toBe(100);
  });

  it('429 failure: the gauges equal the headers of the error (remaining 0), the error is unchanged', async () => {
    t.server.setRateLimits({ requestsPerMinute: 1, tokensPerMinute: 1_000_000 });
    await client().chat.completions.create({ model: 'gpt-test', messages });
    let thrown: unknown;
    try {
      await client().chat.completions.create({ model: 'gpt-test', messages });
    } catch (error) {
      thrown = error;
    }
    expect(describeError(thrown).status).toBe(429);
    const get = errorHeaderGetter(thrown);
    expect(get('retry-after')).toMatch(/^\d+$/);
    const c = await collect();
    expect(fromGauges(c)).toEqual(fromHeaders(get));
    expect(gauge(c, M.rateLimitRemaining, 'requests')).toBe(0);
    expect(c.counter(M.errors, { 'error.type': 'rate_limit' })).toBe(1);
  });

  it('scripted 429 (fail-429): the same error with and without us; its headers recorded', async () => {
    t.server.headerOverrides = PINNED;
    const { instrumented, plain } = await errorsWithAndWithout(t.openai, () =>
      client().chat.completions.create({ model: 'fail-429', messages }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const record = (error: unknown) =>
      Object.fromEntries(['retry-after', ...Object.keys(PINNED)].map((n) => [n, errorHeaderGetter(error)(n)]));
    expect(record(instrumented)).toEqual(record(plain));
    const c = await collect();
    expect(fromGauges(c)).toEqual(fromHeaders((name) => PINNED[name as keyof typeof PINNED]));
  });

  it('streams, responses and embeddings record their headers too', async () => {
    t.server.headerOverrides = PINNED;
    await drain(await client().chat.completions.create({ model: 'gpt-test', messages, stream: true }));
    let c = await collect();
    expect(gauge(c, M.rateLimitRemaining, 'tokens')).toBe(199982);
    t.server.headerOverrides = { ...PINNED, 'x-ratelimit-remaining-tokens': '150000' };
    await client().responses.create({ model: 'gpt-test', input: 'hi' });
    c = await collect();
    expect(gauge(c, M.rateLimitRemaining, 'tokens')).toBe(150000);
    t.server.headerOverrides = { ...PINNED, 'x-ratelimit-remaining-tokens': '140000' };
    await client().embeddings.create({ model: 'gpt-test', input: 'x' });
    c = await collect();
    expect(gauge(c, M.rateLimitRemaining, 'tokens')).toBe(140000);
  });

  it('malformed headers: counted in llm_otel_invalid_input_total, the valid ones recorded, the call unaffected', async () => {
    t.server.headerOverrides = PINNED;
    await client().chat.completions.create({ model: 'gpt-test', messages });
    flushRateLimitHeaders();
    t.server.headerOverrides = {
      ...PINNED,
      'x-ratelimit-limit-requests': '600',
      'x-ratelimit-remaining-requests': 'many',
      'x-ratelimit-remaining-tokens': '150000',
      'x-ratelimit-reset-tokens': '5m5m',
    };
    const { instrumented, plain } = await withAndWithout(t.openai, async () => {
      const { data, response } = await client().chat.completions.create({ model: 'gpt-test', messages }).withResponse();
      return { data: describeValue(data), headers: headerRecord(response.headers) };
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.headers['x-ratelimit-remaining-requests']).toBe('many');
    const c = await collect();
    expect(c.counter(M.invalidInput, { 'llm_otel.reason': 'rate_limit_header_invalid_number' })).toBe(1);
    expect(c.counter(M.invalidInput, { 'llm_otel.reason': 'rate_limit_header_invalid_duration' })).toBe(1);
    // The malformed values are ignored (the gauges keep the previous call's), the valid ones recorded.
    expect(gauge(c, M.rateLimitRemaining, 'requests')).toBe(499);
    expect(gauge(c, M.rateLimitReset, 'tokens')).toBe(360);
    expect(gauge(c, M.rateLimitLimit, 'requests')).toBe(600);
    expect(gauge(c, M.rateLimitRemaining, 'tokens')).toBe(150000);
    expect(c.count(M.latency)).toBe(2);
    expect(c.counter(M.errors)).toBe(0);
    expect(c.counter(M.internalErrors)).toBe(0);
  });

  describe('the app sees the same with and without the instrumentation', () => {
    it('.withResponse(): headers and body', async () => {
      t.server.headerOverrides = PINNED;
      const { instrumented, plain } = await withAndWithout(t.openai, async () => {
        const { data, response, request_id } = await client()
          .chat.completions.create({ model: 'gpt-test', messages })
          .withResponse();
        return {
          data: describeValue(data),
          status: response.status,
          headers: headerRecord(response.headers),
          request_id,
        };
      });
      expect(instrumented).toEqual(plain);
      expect(instrumented.headers['x-ratelimit-remaining-tokens']).toBe('199982');
      const c = await collect();
      expect(c.count(M.latency)).toBe(1);
    });

    it('.asResponse(): headers and the body the app reads itself', async () => {
      t.server.headerOverrides = PINNED;
      const { instrumented, plain } = await withAndWithout(t.openai, async () => {
        const response = await client().chat.completions.create({ model: 'gpt-test', messages }).asResponse();
        return { headers: headerRecord(response.headers), body: await response.text() };
      });
      expect(instrumented).toEqual(plain);
      const c = await collect();
      expect(gauge(c, M.rateLimitRemaining, 'requests')).toBe(499);
    });

    it('streams: .withResponse() headers and chunks; tee() branches', async () => {
      t.server.headerOverrides = PINNED;
      const { instrumented, plain } = await withAndWithout(t.openai, async () => {
        const { data, response } = await client()
          .chat.completions.create({
            model: 'gpt-test',
            messages,
            stream: true,
            stream_options: { include_usage: true },
          })
          .withResponse();
        const [left, right] = data.tee();
        return { headers: headerRecord(response.headers), left: await drain(left), right: await drain(right) };
      });
      expect(instrumented).toEqual(plain);
      expect(instrumented.left.items.length).toBeGreaterThan(0);
      const c = await collect();
      expect(gauge(c, M.rateLimitRemaining, 'tokens')).toBe(199982);
    });
  });

  it('AzureOpenAI: labelled azure.ai.openai', async () => {
    const AzureOpenAI = loaded.module.AzureOpenAI as new (
      options: Record<string, unknown>,
    ) => ReturnType<typeof client>;
    const azure = new AzureOpenAI({ apiKey: 'k', endpoint: t.server.origin, apiVersion: '2024-10-21', maxRetries: 0 });
    const sent = (await azure.chat.completions.create({ model: 'gpt-test', messages }).withResponse()).response.headers;
    const c = await collect();
    expect(gauge(c, M.rateLimitRemaining, 'requests', 'azure.ai.openai')).toBe(
      Number(sent.get('x-ratelimit-remaining-requests')),
    );
  });
});
