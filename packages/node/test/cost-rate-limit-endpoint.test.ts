import { getLlmMetrics } from '@llm-otel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LlmOtelHandle, register } from '../src/index.js';
import { type Exposition, freePort, scrape, select } from './helpers.js';

const OPENAI = { provider: 'openai', operation: 'chat', serverAddress: 'api.openai.com', serverPort: 443 };

/** Cost, token detail and rate-limit headroom as register()'s real /metrics serves them. */
describe('cost and rate-limit series on the /metrics endpoint of register()', () => {
  let handle: LlmOtelHandle;
  let page: Exposition;

  beforeAll(async () => {
    const port = await freePort();
    handle = register({ serviceName: 'cost-test', prometheus: { host: '127.0.0.1', port }, otlp: false });
    await handle.ready;
    const m = getLlmMetrics();
    m.recordInference({
      ...OPENAI,
      model: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      durationSeconds: 1,
      inputTokens: 1_000_000,
      cachedInputTokens: 200_000,
      outputTokens: 500_000,
    });
    m.recordInference({ ...OPENAI, model: 'not-in-any-table', durationSeconds: 1, inputTokens: 3, outputTokens: 1 });
    m.recordInference({ provider: 'ollama', operation: 'chat', model: 'llama3.2', durationSeconds: 1, inputTokens: 9 });
    m.recordRateLimits({
      provider: 'openai',
      serverAddress: 'api.openai.com',
      headers: new Headers({
        'x-ratelimit-limit-tokens': '150000',
        'x-ratelimit-remaining-tokens': '149000',
        'x-ratelimit-reset-tokens': '6m0s',
      }),
    });
    page = await scrape(handle.prometheusUrl as string);
  });

  afterAll(async () => handle.shutdown());

  it('serves the cost counter as exactly llm_cost_usd_total, by provider, request model and token type', () => {
    expect(page.types.get('llm_cost_usd_total')).toBe('counter');
    const cost = (type: string) =>
      select(page, 'llm_cost_usd_total', { gen_ai_request_model: 'gpt-4o-mini', gen_ai_token_type: type })[0]?.value;
    expect(cost('input')).toBeCloseTo(0.12, 12);
    expect(cost('cached_input')).toBeCloseTo(0.015, 12);
    expect(cost('output')).toBeCloseTo(0.3, 12);
    const labels = Object.keys(select(page, 'llm_cost_usd_total')[0]?.labels ?? {}).filter((l) =>
      l.startsWith('gen_ai'),
    );
    expect(labels.sort()).toEqual(['gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_token_type']);
    expect(select(page, 'llm_cost_usd_total', { gen_ai_provider_name: 'ollama' }).map((s) => s.value)).toEqual([0]);
    expect([...page.types.keys()].filter((n) => n.startsWith('llm_cost_usd'))).toEqual(['llm_cost_usd_total']);
  });

  it('counts the unpriced call instead of guessing its cost', () => {
    expect(select(page, 'llm_cost_unpriced_calls_total', { gen_ai_request_model: 'not-in-any-table' })[0]?.value).toBe(
      1,
    );
    expect(select(page, 'llm_cost_usd_total', { gen_ai_request_model: 'not-in-any-table' })).toEqual([]);
  });

  it('serves the token detail beside the unchanged spec token series', () => {
    expect(select(page, 'llm_token_usage_detail_total', { gen_ai_token_type: 'cached_input' })[0]?.value).toBe(200_000);
    const input = select(page, 'llm_request_token_count_sum', {
      gen_ai_request_model: 'gpt-4o-mini',
      gen_ai_token_type: 'input',
    });
    expect(input.map((s) => s.value)).toEqual([1_000_000]);
  });

  it('serves the rate-limit gauges under exactly their names', () => {
    const headroom = {
      gen_ai_provider_name: 'openai',
      server_address: 'api.openai.com',
      llm_rate_limit_kind: 'tokens',
    };
    for (const name of ['llm_rate_limit_remaining', 'llm_rate_limit_limit', 'llm_rate_limit_reset_seconds'])
      expect(page.types.get(name), name).toBe('gauge');
    expect(select(page, 'llm_rate_limit_remaining', headroom)[0]?.value).toBe(149000);
    expect(select(page, 'llm_rate_limit_limit', headroom)[0]?.value).toBe(150000);
    expect(select(page, 'llm_rate_limit_reset_seconds', headroom)[0]?.value).toBe(360);
    expect(select(page, 'llm_rate_limit_remaining', { llm_rate_limit_kind: 'requests' })).toEqual([]);
  });
});
