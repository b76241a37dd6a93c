import type { Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import {
  buildDashboard,
  dashboardQueries,
  escapeRegexValue,
  formatMultiValue,
  substituteVariables,
} from '../src/index.js';

describe('variable substitution (as Grafana interpolates for Prometheus)', () => {
  it('sends All as .*', () => {
    expect(formatMultiValue(undefined)).toBe('.*');
    expect(formatMultiValue('All')).toBe('.*');
  });

  it('escapes regex characters and joins several values into a group', () => {
    expect(escapeRegexValue('gpt-4.1')).toBe('gpt-4\\\\.1');
    expect(formatMultiValue(['gpt-4.1'])).toBe('gpt-4\\\\.1');
    expect(formatMultiValue(['a', 'b(c)'])).toBe('(a|b\\\\(c\\\\))');
    expect(() => formatMultiValue([])).toThrow();
  });

  it('replaces $var, ${var} and the interval macros', () => {
    const out = substituteVariables(
      'rate(x{a=~"$model", b=~"${provider}"}[$__rate_interval]) [$__interval] [$__range]',
      {
        model: ['m1', 'm2'],
        provider: ['p'],
        rateInterval: '2m',
        interval: '30s',
        range: '6h',
      },
    );
    expect(out).toBe('rate(x{a=~"(m1|m2)", b=~"p"}[2m]) [30s] [6h]');
  });

  it('rejects variables the dashboard does not define', () => {
    expect(() => substituteVariables('x{a="$nope"}')).toThrow(/unknown dashboard variable/);
  });
});

describe('dashboardQueries', () => {
  const queries = dashboardQueries({ service_name: ['chat-api'], provider: ['openai'], model: ['gpt-4o-mini'] });

  it('returns every panel query once, plus the annotation and the variable queries', () => {
    const targets = (buildDashboard().panels ?? [])
      .flatMap((p): Panel[] => ('collapsed' in p ? p.panels : [p]))
      .flatMap((p) => (p.targets ?? []) as { expr?: string }[]);
    const panelQueries = queries.filter((q) => q.source === 'panel');
    expect(panelQueries).toHaveLength(targets.length);
    expect(panelQueries.map((q) => q.template)).toEqual(targets.map((t) => t.expr));
    expect(queries.filter((q) => q.source === 'annotation')).toHaveLength(1);
    expect(queries.filter((q) => q.source === 'variable').map((q) => q.title)).toEqual([
      'service_name',
      'provider',
      'model',
    ]);
  });

  it('leaves no variable in place', () => {
    for (const q of queries) expect(q.expr, `${q.title} ${q.refId}`).not.toContain('$');
  });

  it('substitutes the given values', () => {
    const latency = queries.find((q) => q.panelId === 5 && q.refId === 'B');
    expect(latency?.expr).toBe(
      'histogram_quantile(0.95, sum by (gen_ai_request_model, le) (rate(llm_inference_latency_seconds_bucket{service_name=~"chat-api", gen_ai_provider_name=~"openai", gen_ai_request_model=~"gpt-4o-mini"}[1m])))',
    );
    const drift = queries.find((q) => q.panelId === 13);
    expect(drift?.expr).toContain('job=~"(.+/)?chat-api"');
  });

  it('turns label_values variables into PromQL', () => {
    expect(queries.find((q) => q.title === 'model')?.expr).toBe(
      'group by (gen_ai_request_model) (llm_inference_latency_seconds_count{service_name=~"chat-api", gen_ai_provider_name=~"openai"})',
    );
  });

  it('says which feature each query needs', () => {
    const requires = (panelId: number) => queries.find((q) => q.panelId === panelId)?.requires;
    expect(requires(5)).toEqual(['calls']);
    expect(requires(7)).toEqual(['calls', 'errors']);
    expect(requires(9)).toEqual(['streaming']);
    expect(requires(11)).toEqual(['model-registry']);
    expect(requires(13)).toEqual(['calls', 'recording-rules']);
    expect(requires(15)).toEqual(['drift']);
    expect(requires(17)).toEqual(['quality']);
    expect(requires(18)).toEqual(['health']);
    expect(requires(19)).toEqual(['cost']);
    expect(requires(20)).toEqual(['cost', 'recording-rules']);
    expect(requires(21)).toEqual(['cost']);
    expect(requires(22)).toEqual(['rate-limits']);
    expect(requires(25)).toEqual(['calls', 'cost']);
    expect(requires(26)).toEqual(['calls', 'token-detail']);
    expect(requires(27)).toEqual(['rate-limits']);
    expect(requires(28)).toEqual(['errors', 'rate-limited']);
    expect(requires(29)).toEqual(['calls']);
    expect(requires(31)).toEqual(['calls', 'errors']);
    expect(requires(32)).toEqual(['ab']);
    expect(requires(33)).toEqual(['ab']);
  });
});
