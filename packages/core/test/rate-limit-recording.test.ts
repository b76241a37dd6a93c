import { metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LlmMetrics } from '../src/index.js';
import { MAX_RATE_LIMIT_SERVERS } from '../src/internal.js';
import { resetReportedForTests } from '../src/report-once.js';
import { collectByName, counterValue, installProvider, pointsWith } from './collect.js';

const GAUGES = ['llm_rate_limit_remaining', 'llm_rate_limit_limit', 'llm_rate_limit_reset_seconds'] as const;
const NOW = Date.UTC(2026, 10, 30, 14, 40, 0);

type ByName = Awaited<ReturnType<typeof collectByName>>;

/** `{ kind: value }` of one gauge for a provider. */
function byKind(byName: ByName, gauge: string, provider: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pointsWith<number>(byName.get(gauge), { 'gen_ai.provider.name': provider }))
    out[p.attributes['llm.rate_limit.kind'] as string] = p.value;
  return out;
}

const invalid = (byName: ByName, reason: string) =>
  counterValue(byName.get('llm_otel_invalid_input_total'), { 'llm_otel.reason': reason });

function setUp() {
  const { reader } = installProvider();
  return { m: new LlmMetrics(), reader };
}

const OPENAI_HEADERS = {
  'x-ratelimit-limit-requests': '60',
  'x-ratelimit-remaining-requests': '59',
  'x-ratelimit-reset-requests': '1s',
  'x-ratelimit-limit-tokens': '150000',
  'x-ratelimit-remaining-tokens': '149984',
  'x-ratelimit-reset-tokens': '6m0s',
};

describe('rate-limit headroom (llm_rate_limit_*)', () => {
  beforeEach(() => resetReportedForTests());
  afterEach(() => metrics.disable());

  it('exports the latest OpenAI headers per provider, server and kind', async () => {
    const { m, reader } = setUp();
    m.recordRateLimits({ provider: 'openai', serverAddress: 'api.openai.com', headers: OPENAI_HEADERS, nowMs: NOW });
    // fetch Headers, as the SDKs hand them over; the latest response wins.
    const later = new Headers({
      ...OPENAI_HEADERS,
      'x-ratelimit-remaining-requests': '58',
      'x-ratelimit-reset-tokens': '12ms',
    });
    m.recordRateLimits({ provider: 'openai', serverAddress: 'api.openai.com', headers: later, nowMs: NOW });
    const byName = await collectByName(reader);
    expect(byKind(byName, 'llm_rate_limit_remaining', 'openai')).toEqual({ requests: 58, tokens: 149984 });
    expect(byKind(byName, 'llm_rate_limit_limit', 'openai')).toEqual({ requests: 60, tokens: 150000 });
    expect(byKind(byName, 'llm_rate_limit_reset_seconds', 'openai')).toEqual({ requests: 1, tokens: 0.012 });
    expect(pointsWith(byName.get('llm_rate_limit_remaining'), {})[0]?.attributes).toEqual({
      'gen_ai.provider.name': 'openai',
      'server.address': 'api.openai.com',
      'llm.rate_limit.kind': 'requests',
    });
  });

  it('reads Anthropic headers (RFC 3339 resets, input and output token windows) from a getter', async () => {
    const { m, reader } = setUp();
    const headers: Record<string, string> = {
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2026-11-30T14:40:30Z',
      'anthropic-ratelimit-input-tokens-limit': '40000',
      'anthropic-ratelimit-input-tokens-remaining': '39000',
      'anthropic-ratelimit-output-tokens-remaining': '7000',
      // An OpenAI header from a proxy is not read for Anthropic.
      'x-ratelimit-remaining-requests': '1',
    };
    m.recordRateLimits({
      provider: 'anthropic',
      serverAddress: 'api.anthropic.com',
      headers: (name) => headers[name],
      nowMs: NOW,
    });
    const byName = await collectByName(reader);
    expect(byKind(byName, 'llm_rate_limit_remaining', 'anthropic')).toEqual({
      requests: 49,
      input_tokens: 39000,
      output_tokens: 7000,
    });
    expect(byKind(byName, 'llm_rate_limit_limit', 'anthropic')).toEqual({ requests: 50, input_tokens: 40000 });
    expect(byKind(byName, 'llm_rate_limit_reset_seconds', 'anthropic')).toEqual({ requests: 30 });
  });

  it('leaves no series for a response without rate-limit headers, or with retry-after only', async () => {
    const { m, reader } = setUp();
    m.recordRateLimits({
      provider: 'openai',
      serverAddress: 'localhost',
      headers: { 'content-type': 'application/json' },
    });
    m.recordRateLimits({ provider: 'openai', serverAddress: 'localhost', headers: { 'retry-after': '20' } });
    m.recordRateLimits({ provider: 'ollama', headers: new Headers() });
    const byName = await collectByName(reader);
    for (const gauge of GAUGES) expect(byName.has(gauge), gauge).toBe(false);
    expect(byName.has('llm_otel_invalid_input_total')).toBe(false);
  });

  it('ignores and counts malformed headers by problem, keeps the valid ones, and never throws', async () => {
    const { m, reader } = setUp();
    m.recordRateLimits({
      provider: 'openai',
      serverAddress: 'api.openai.com',
      headers: {
        'x-ratelimit-limit-requests': '6e1',
        'x-ratelimit-remaining-requests': '-1',
        'x-ratelimit-reset-requests': '5m5m',
        'x-ratelimit-limit-tokens': '9'.repeat(100),
        'x-ratelimit-remaining-tokens': '100',
      },
      nowMs: NOW,
    });
    expect(() =>
      m.recordRateLimits({
        provider: 'openai',
        headers: () => {
          throw new Error('boom');
        },
      }),
    ).not.toThrow();
    const byName = await collectByName(reader);
    expect(invalid(byName, 'rate_limit_header_invalid_number')).toBe(2);
    expect(invalid(byName, 'rate_limit_header_invalid_duration')).toBe(1);
    expect(invalid(byName, 'rate_limit_header_too_long')).toBe(1);
    expect(invalid(byName, 'rate_limit_header_unreadable')).toBeGreaterThan(0);
    expect(byKind(byName, 'llm_rate_limit_remaining', 'openai')).toEqual({ tokens: 100 });
    expect(byName.has('llm_rate_limit_limit')).toBe(false);
    expect(counterValue(byName.get('llm_otel_internal_errors_total'))).toBe(0);
  });

  it('drops and counts a call it cannot read (no provider, no headers, bad time)', async () => {
    const { m, reader } = setUp();
    m.recordRateLimits({ provider: '', headers: OPENAI_HEADERS });
    m.recordRateLimits({ provider: 'openai', headers: 'x-ratelimit-limit-requests: 60' as never });
    m.recordRateLimits({ provider: 'openai', headers: OPENAI_HEADERS, nowMs: Number.NaN });
    m.recordRateLimits(null as never);
    const byName = await collectByName(reader);
    expect(invalid(byName, 'missing_provider')).toBe(1);
    expect(invalid(byName, 'invalid_headers')).toBe(1);
    expect(invalid(byName, 'invalid_time')).toBe(1);
    expect(invalid(byName, 'invalid_record')).toBe(1);
    for (const gauge of GAUGES) expect(byName.has(gauge), gauge).toBe(false);
  });

  it('bounds the server label with the attribute limits', async () => {
    const { reader } = installProvider();
    const m = new LlmMetrics({ maxDistinctValues: 2 });
    for (let i = 0; i < 20; i += 1)
      m.recordRateLimits({
        provider: 'openai',
        serverAddress: `host-${i}.example`,
        headers: OPENAI_HEADERS,
        nowMs: NOW,
      });
    const byName = await collectByName(reader);
    const servers = new Set(
      pointsWith(byName.get('llm_rate_limit_remaining'), {}).map((p) => p.attributes['server.address']),
    );
    expect(servers).toEqual(new Set(['host-0.example', 'host-1.example', '_OTHER']));
  });

  it('keeps at most MAX_RATE_LIMIT_SERVERS provider and server pairs, later ones sharing an _OTHER pair', async () => {
    const { reader } = installProvider();
    const m = new LlmMetrics({ maxDistinctValues: 1000 });
    for (let i = 0; i < MAX_RATE_LIMIT_SERVERS + 50; i += 1)
      m.recordRateLimits({
        provider: 'openai',
        serverAddress: `host-${i}.example`,
        headers: OPENAI_HEADERS,
        nowMs: NOW,
      });
    const points = pointsWith((await collectByName(reader)).get('llm_rate_limit_limit'), {
      'llm.rate_limit.kind': 'requests',
    });
    expect(points).toHaveLength(MAX_RATE_LIMIT_SERVERS);
    expect(points.filter((p) => p.attributes['server.address'] === '_OTHER')).toHaveLength(1);
  });
});
