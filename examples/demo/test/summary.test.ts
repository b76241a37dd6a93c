import { describe, expect, it } from 'vitest';
import { formatHeadroom, formatSpend, headroomByKind, parseSamples, spendByModel } from '../src/summary.js';

const PAGE = `# HELP llm_cost_usd_total US dollars spent
# TYPE llm_cost_usd_total counter
llm_cost_usd_total{gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_token_type="input",otel_scope_name="llm-otel"} 0.12
llm_cost_usd_total{gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_token_type="cached_input",otel_scope_name="llm-otel"} 0.015
llm_cost_usd_total{gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini",gen_ai_token_type="output",otel_scope_name="llm-otel"} 0.3
llm_cost_usd_total{gen_ai_provider_name="openai",gen_ai_request_model="o4-mini",gen_ai_token_type="reasoning"} 1.5
llm_cost_usd_total{gen_ai_provider_name="openai",gen_ai_request_model="o4-mini",gen_ai_token_type="cached_input"} 0
llm_cost_usd_total{gen_ai_provider_name="ollama",gen_ai_request_model="mistral",gen_ai_token_type="input"} 0
llm_rate_limit_remaining{gen_ai_provider_name="openai",server_address="api.openai.com",llm_rate_limit_kind="tokens"} 149000
llm_rate_limit_limit{gen_ai_provider_name="openai",server_address="api.openai.com",llm_rate_limit_kind="tokens"} 150000
llm_rate_limit_reset_seconds{gen_ai_provider_name="openai",server_address="api.openai.com",llm_rate_limit_kind="tokens"} 360
llm_rate_limit_remaining{gen_ai_provider_name="openai",server_address="api.openai.com",llm_rate_limit_kind="requests"} 4999
llm_token_generation_rate_total 42
`;

describe('the demo summary', () => {
  it('reads samples with and without labels, decoding escaped label values', () => {
    const samples = parseSamples(`${PAGE}llm_x{a="say \\"hi\\"\\\\",b="line\\nnext"} 3\n`);
    expect(samples.find((s) => s.name === 'llm_token_generation_rate_total')).toEqual({
      name: 'llm_token_generation_rate_total',
      labels: {},
      value: 42,
    });
    expect(samples.find((s) => s.name === 'llm_x')?.labels).toEqual({ a: 'say "hi"\\', b: 'line\nnext' });
    expect(samples.filter((s) => s.name === 'llm_cost_usd_total')).toHaveLength(6);
  });

  it('skips lines it cannot read instead of failing', () => {
    expect(parseSamples('llm_a{b="unterminated 1\nllm_b{c="d"} not-a-number\nllm_c 2\n')).toEqual([
      { name: 'llm_c', labels: {}, value: 2 },
    ]);
  });

  it('sums the spend per provider and model over the token types, most expensive first, showing the types that cost something', () => {
    const rows = spendByModel(parseSamples(PAGE));
    expect(rows.map((r) => [r.provider, r.model])).toEqual([
      ['openai', 'o4-mini'],
      ['openai', 'gpt-4o-mini'],
      ['ollama', 'mistral'],
    ]);
    expect(rows[1]?.usd).toBeCloseTo(0.435, 12);
    expect(Object.fromEntries(rows[1]?.byTokenType ?? [])).toEqual({ input: 0.12, cached_input: 0.015, output: 0.3 });
    expect(formatSpend(rows)).toEqual([
      '  openai  o4-mini      $1.500000  = reasoning 1.500000',
      '  openai  gpt-4o-mini  $0.435000  = input 0.120000 + cached_input 0.015000 + output 0.300000',
      '  ollama  mistral      $0.000000',
      '  total                $1.935000',
    ]);
  });

  it('joins the rate-limit gauges per provider, server and kind', () => {
    const rows = headroomByKind(parseSamples(PAGE));
    expect(rows).toEqual([
      {
        provider: 'openai',
        server: 'api.openai.com',
        kind: 'requests',
        remaining: 4999,
        limit: undefined,
        resetSeconds: undefined,
      },
      {
        provider: 'openai',
        server: 'api.openai.com',
        kind: 'tokens',
        remaining: 149000,
        limit: 150000,
        resetSeconds: 360,
      },
    ]);
    expect(formatHeadroom(rows)).toEqual([
      '  openai  api.openai.com  requests  4999 left',
      '  openai  api.openai.com  tokens    149000 of 150000 left (99.3%), resets in 360.0 s',
    ]);
  });

  it('says so when there is nothing to show', () => {
    expect(formatSpend([])).toEqual(['  no priced calls']);
    expect(formatHeadroom([])).toEqual(['  none reported (the servers sent no rate-limit headers)']);
  });
});
