import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { INSTRUMENT_LIST } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { buildDashboard, RECORDED, renderDashboardJson, THRESHOLDS } from '../src/index.js';
import {
  ANNOTATION_KEYS,
  DASHBOARD_KEYS,
  DATASOURCE_REF_KEYS,
  FIELD_CONFIG_KEYS,
  FIELD_CONFIG_SOURCE_KEYS,
  GRID_POS_KEYS,
  NESTED_OPTION_KEYS,
  PANEL_KEYS,
  PANEL_TYPES,
  PROMETHEUS_QUERY_KEYS,
  ROW_KEYS,
  THRESHOLD_KEYS,
  THRESHOLDS_KEYS,
  unknownKeys,
  VARIABLE_KEYS,
} from './sdk-shape.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const committedPath = resolve(here, '../dashboards/ml-service-metrics.json');

// The committed JSON, checked field by field below.
type Json = any;

const committedText = readFileSync(committedPath, 'utf8');
const committed: Json = JSON.parse(committedText);
const panels: Json[] = committed.panels.flatMap((p: Json) => (p.type === 'row' ? [p, ...p.panels] : [p]));
const vizPanels = panels.filter((p) => p.type !== 'row');
const byTitle = (re: RegExp): Json => {
  const found = vizPanels.filter((p) => re.test(p.title));
  expect(found, `one panel titled ${re}`).toHaveLength(1);
  return found[0];
};
const exprs = (p: Json): string[] => p.targets.map((t: Json) => t.expr as string);

/** The spec's actions, which the panel descriptions must repeat. */
const ACTIONS = {
  latency: 'Check model performance and infrastructure',
  errors: 'Check logs for error details and model availability',
  down: 'Check service health and logs',
  drift: 'Recommends retrain/investigation pipeline',
};

describe('generated dashboard JSON', () => {
  it('is what the code generates (run `pnpm dashboards:build` after changing grafana/src)', () => {
    expect(committedText === renderDashboardJson(), 'grafana/dashboards/ml-service-metrics.json is stale').toBe(true);
  });

  it('is deterministic and pretty-printed', () => {
    expect(renderDashboardJson()).toBe(renderDashboardJson(buildDashboard()));
    expect(committedText).toBe(`${JSON.stringify(JSON.parse(committedText), null, 2)}\n`);
  });

  it('has a schemaVersion current Grafana imports (the SDK default, within 39..42)', () => {
    // 39-40: Grafana 11.x; 41: 12.0; 42: 12.1+ (the last classic JSON model version).
    expect(committed.schemaVersion).toBe(defaultDashboard().schemaVersion);
    expect(committed.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(committed.schemaVersion).toBeLessThanOrEqual(42);
  });

  it('uses only keys of the foundation SDK types', () => {
    const problems: string[] = [];
    const check = (where: string, obj: object | undefined, keys: Record<string, true>) => {
      if (obj === undefined) return;
      for (const k of unknownKeys(obj, keys)) problems.push(`${where}.${k}`);
    };
    check('dashboard', committed, DASHBOARD_KEYS);
    for (const v of committed.templating.list) {
      check(`variable ${v.name}`, v, VARIABLE_KEYS);
      check(`variable ${v.name}.datasource`, v.datasource, DATASOURCE_REF_KEYS);
    }
    for (const a of committed.annotations.list) {
      check(`annotation ${a.name}`, a, ANNOTATION_KEYS);
      check(`annotation ${a.name}.datasource`, a.datasource, DATASOURCE_REF_KEYS);
    }
    for (const p of panels) {
      const at = `panel ${p.id} (${p.title})`;
      check(`${at}.gridPos`, p.gridPos, GRID_POS_KEYS);
      check(`${at}.datasource`, p.datasource, DATASOURCE_REF_KEYS);
      if (p.type === 'row') {
        check(at, p, ROW_KEYS);
        continue;
      }
      check(at, p, PANEL_KEYS);
      const plugin = PANEL_TYPES[p.type as keyof typeof PANEL_TYPES];
      expect(plugin, `${at}: panel type ${p.type} has SDK types`).toBeDefined();
      check(`${at}.options`, p.options, plugin.options);
      for (const [k, nested] of Object.entries(NESTED_OPTION_KEYS)) check(`${at}.options.${k}`, p.options?.[k], nested);
      check(`${at}.fieldConfig`, p.fieldConfig, FIELD_CONFIG_SOURCE_KEYS);
      check(`${at}.fieldConfig.defaults`, p.fieldConfig?.defaults, FIELD_CONFIG_KEYS);
      check(`${at}.fieldConfig.defaults.custom`, p.fieldConfig?.defaults?.custom, plugin.custom);
      check(
        `${at}.fieldConfig.defaults.custom.thresholdsStyle`,
        p.fieldConfig?.defaults?.custom?.thresholdsStyle,
        NESTED_OPTION_KEYS.thresholdsStyle as Record<string, true>,
      );
      check(`${at}.thresholds`, p.fieldConfig?.defaults?.thresholds, THRESHOLDS_KEYS);
      for (const s of p.fieldConfig?.defaults?.thresholds?.steps ?? [])
        check(`${at}.thresholds.steps`, s, THRESHOLD_KEYS);
      for (const t of p.targets ?? []) {
        check(`${at}.targets[${t.refId}]`, t, PROMETHEUS_QUERY_KEYS);
        check(`${at}.targets[${t.refId}].datasource`, t.datasource, DATASOURCE_REF_KEYS);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every panel a unique id, a grid position, a description and the datasource variable', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect(p.gridPos, `panel ${p.id}`).toMatchObject({ h: expect.any(Number), w: expect.any(Number) });
      expect(p.gridPos.x + p.gridPos.w, `panel ${p.id} fits the 24-column grid`).toBeLessThanOrEqual(24);
    }
    for (const p of vizPanels) {
      expect(p.description?.length ?? 0, `panel ${p.id} description`).toBeGreaterThan(80);
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('gives every query a unique refId, an expression and the datasource variable', () => {
    for (const p of vizPanels) {
      expect(p.targets?.length ?? 0, `panel ${p.id} has queries`).toBeGreaterThan(0);
      const refIds = p.targets.map((t: Json) => t.refId);
      expect(
        refIds.every((r: unknown) => typeof r === 'string' && r.length > 0),
        `panel ${p.id} refIds`,
      ).toBe(true);
      expect(new Set(refIds).size, `panel ${p.id} refIds are unique`).toBe(refIds.length);
      for (const t of p.targets) {
        expect(t.expr.trim().length).toBeGreaterThan(0);
        expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      }
    }
  });

  it('sets a unit on every time series and stat, with the spec units', () => {
    for (const p of vizPanels.filter((x) => x.type === 'timeseries' || x.type === 'stat')) {
      expect(p.fieldConfig?.defaults?.unit, `panel ${p.id} (${p.title}) unit`).toBeTruthy();
    }
    expect(byTitle(/^Model latency/).fieldConfig.defaults.unit).toBe('s');
    expect(byTitle(/^Time to first token/).fieldConfig.defaults.unit).toBe('s');
    expect(byTitle(/^Token generation rate/).fieldConfig.defaults.unit).toBe('suffix: tokens/s');
    expect(byTitle(/^Error rates by type/).fieldConfig.defaults.unit).toBe('percentunit');
    expect(byTitle(/^Error ratio/).fieldConfig.defaults.unit).toBe('percentunit');
    expect(byTitle(/^Latency drift/).fieldConfig.defaults.unit).toBe('s');
  });
});

describe('variables', () => {
  const vars = Object.fromEntries(committed.templating.list.map((v: Json) => [v.name, v]));

  it('selects a Prometheus datasource', () => {
    expect(vars.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
  });

  it.each([
    ['service_name', 'service_name'],
    ['provider', 'gen_ai_provider_name'],
    ['model', 'gen_ai_request_model'],
  ])('%s is a multi-value label_values variable on %s with All = .*', (name, label) => {
    const v = vars[name];
    expect(v).toMatchObject({
      type: 'query',
      multi: true,
      includeAll: true,
      allValue: '.*',
      refresh: 2,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      current: { value: ['$__all'] },
    });
    expect(v.definition).toMatch(new RegExp(`^label_values\\(llm_inference_latency_seconds_count.*, ${label}\\)$`));
    expect(v.query.query).toBe(v.definition);
  });

  it('every per-call query filters on service, provider and model', () => {
    for (const p of vizPanels) {
      for (const e of exprs(p)) {
        for (const m of e.matchAll(
          /(llm_(?:inference_latency|token_generation|request_token|error_rate|time_to_first|token_usage_detail|cost_)\w*)\{([^}]*)\}/g,
        )) {
          expect(m[2], `${p.title}: ${m[1]}`).toContain('service_name=~"$service_name"');
          expect(m[2], `${p.title}: ${m[1]}`).toContain('gen_ai_provider_name=~"$provider"');
          expect(m[2], `${p.title}: ${m[1]}`).toContain('gen_ai_request_model=~"$model"');
        }
      }
    }
  });
});

describe('the spec panels', () => {
  it('model latency: P50/P95/P99 from histogram_quantile over rate(_bucket[$__rate_interval]) summed by le', () => {
    const p = byTitle(/^Model latency \(P50, P95, P99\)/);
    const e = exprs(p);
    expect(e).toHaveLength(3);
    ['0.5', '0.95', '0.99'].forEach((q, i) => {
      expect(e[i]).toMatch(
        new RegExp(
          `^histogram_quantile\\(${q.replace('.', '\\.')}, sum by \\(gen_ai_request_model, le\\) \\(rate\\(llm_inference_latency_seconds_bucket\\{[^}]*\\}\\[\\$__rate_interval\\]\\)\\)\\)$`,
        ),
      );
    });
    expect(p.fieldConfig.defaults.thresholds.steps).toContainEqual({
      value: THRESHOLDS.latencyP95Seconds,
      color: 'red',
    });
    expect(p.description).toContain(ACTIONS.latency);
  });

  it('model latency: the P95 query, and only it, asks for exemplars (trace ids of sampled calls)', () => {
    const p = byTitle(/^Model latency \(P50, P95, P99\)/);
    expect(p.targets.map((t: Json) => [t.refId, t.exemplar === true])).toEqual([
      ['A', false],
      ['B', true],
      ['C', false],
    ]);
    expect(p.description).toContain('exemplars');
  });

  it('every quantile in the dashboard uses the bucket rate over $__rate_interval summed by le', () => {
    for (const p of vizPanels) {
      for (const e of exprs(p).filter((x) => x.includes('histogram_quantile'))) {
        expect(e, p.title).toMatch(/sum by \([^)]*\ble\) \(rate\(\w+_bucket\{[^}]*\}\[\$__rate_interval\]\)\)/);
      }
    }
  });

  it('request volume is predictions per minute', () => {
    const p = byTitle(/^Request volume/);
    expect(exprs(p)[0]).toMatch(/rate\(llm_inference_latency_seconds_count\{.*\}\[\$__rate_interval\]\)\) \* 60$/);
    expect(p.fieldConfig.defaults.unit).toBe('reqpm');
  });

  it('token generation rate is the rate of the output-token counter', () => {
    expect(exprs(byTitle(/^Token generation rate/))[0]).toMatch(
      /^sum by \(gen_ai_request_model\) \(rate\(llm_token_generation_rate_total\{/,
    );
  });

  it('error rates are a ratio by error_type with the 10 % line', () => {
    const p = byTitle(/^Error rates by type/);
    const [e] = exprs(p);
    expect(e).toMatch(/^sum by \(gen_ai_request_model, error_type\) \(rate\(llm_error_rate_total\{/);
    expect(e).toMatch(
      /\/ on \(gen_ai_request_model\) group_left sum by \(gen_ai_request_model\) \(rate\(llm_inference_latency_seconds_count\{/,
    );
    expect(p.fieldConfig.defaults.thresholds.steps).toContainEqual({ value: THRESHOLDS.errorRatio, color: 'red' });
    expect(p.description).toContain(ACTIONS.errors);
  });

  it('model version tracking: a table and a state timeline of llm_model_version, deployments as annotations', () => {
    const table = byTitle(/^Deployed model versions/);
    expect(table.type).toBe('table');
    expect(exprs(table)[0]).toContain('llm_model_version{');
    expect(exprs(table)[0]).toContain('llm_model_deployed_at_seconds{');
    expect(table.targets[0]).toMatchObject({ instant: true, format: 'table' });
    const timeline = byTitle(/^Model version timeline/);
    expect(timeline.type).toBe('state-timeline');
    expect(exprs(timeline)[0]).toMatch(/^max by \(llm_model_name, llm_model_version\) \(llm_model_version\{/);
    const [deployments] = committed.annotations.list;
    expect(deployments).toMatchObject({
      name: 'Model deployments',
      enable: true,
      useValueForTime: true,
      datasource: { type: 'prometheus', uid: '${datasource}' },
    });
    expect(deployments.expr).toMatch(/llm_model_deployed_at_seconds\{service_name=~"\$service_name"\}\) \* 1000$/);
  });

  it('drift detection is the LLMModelDrift expression with its 2 s threshold line', () => {
    const alerts = readFileSync(resolve(repoRoot, 'prometheus/rules/llm-alerts.yml'), 'utf8');
    const rule = /- alert: LLMModelDrift\s+expr: \|([\s\S]*?)for:/.exec(alerts);
    expect(rule, 'LLMModelDrift in prometheus/rules/llm-alerts.yml').not.toBeNull();
    const alertExpr = (rule?.[1] ?? '').replace(/\s+/g, ' ').trim();
    expect(alertExpr).toBe(`${RECORDED.p95} - ${RECORDED.p95Baseline6h} > ${THRESHOLDS.driftSeconds}`);
    const p = byTitle(/^Latency drift/);
    const e = exprs(p)[0] ?? '';
    expect(e.replace(/\{[^}]*\}/g, '')).toBe(`${RECORDED.p95} - ${RECORDED.p95Baseline6h}`);
    expect(p.fieldConfig.defaults.thresholds.steps).toContainEqual({ value: THRESHOLDS.driftSeconds, color: 'red' });
    expect(p.fieldConfig.defaults.custom.thresholdsStyle.mode).not.toBe('off');
    expect(p.description).toContain(ACTIONS.drift);
  });

  it('the recorded series it reads are defined in prometheus/rules/llm-recording.yml', () => {
    const recording = readFileSync(resolve(repoRoot, 'prometheus/rules/llm-recording.yml'), 'utf8');
    for (const name of Object.values(RECORDED)) expect(recording).toContain(`record: ${name}\n`);
  });

  it('has the extra panels: time to first token, tokens per request, quality, in-process drift, endpoint up', () => {
    expect(exprs(byTitle(/^Time to first token/)).join()).toContain('llm_time_to_first_token_seconds_bucket');
    const tokens = exprs(byTitle(/^Tokens per request \(input vs output\)/)).join();
    expect(tokens).toContain('sum by (gen_ai_token_type)');
    expect(tokens).toContain('llm_request_token_count_sum');
    expect(exprs(byTitle(/^Response quality score/))[0]).toContain('llm_response_quality_score{');
    const drift = exprs(byTitle(/^Distribution drift statistics/)).join();
    for (const m of ['llm_drift_ks_statistic', 'llm_drift_psi', 'llm_drift_p_value']) expect(drift).toContain(`${m}{`);
    expect(exprs(byTitle(/^Drift detected/))[0]).toContain('llm_drift_detected{');
    const up = byTitle(/^Model endpoint up/);
    expect(exprs(up)[0]).toContain('llm_model_up{');
    expect(up.description).toContain(ACTIONS.down);
  });

  it('rate-limit queries filter on service and provider (the gauges have no model)', () => {
    const all = vizPanels.flatMap(exprs).join('\n');
    const matchers = [...all.matchAll(/llm_rate_limit_\w+\{([^}]*)\}/g)].map((m) => m[1]);
    expect(matchers.length).toBeGreaterThan(0);
    for (const m of matchers) expect(m).toBe('service_name=~"$service_name", gen_ai_provider_name=~"$provider"');
  });

  it('reads only series that llm-otel produces: catalogue instruments and recorded rules', () => {
    const known = new Set<string>(Object.values(RECORDED));
    for (const i of INSTRUMENT_LIST) {
      known.add(i.prometheusName);
      if (i.kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) known.add(i.prometheusName + s);
    }
    const all = [...vizPanels.flatMap(exprs), ...committed.annotations.list.map((a: Json) => a.expr)];
    const used = new Set(all.flatMap((e: string) => [...e.matchAll(/([a-z_:][a-z0-9_:]*)\{/g)].map((m) => m[1])));
    expect([...used].filter((n) => !known.has(n as string))).toEqual([]);
  });
});

describe('cost and rate limits', () => {
  const alerts = readFileSync(resolve(repoRoot, 'prometheus/rules/llm-alerts.yml'), 'utf8');
  const alertExpr = (name: string): string => {
    const rule = new RegExp(`- alert: ${name}\\s+expr: \\|?([\\s\\S]*?)\\n\\s+for:`).exec(alerts);
    expect(rule, `${name} in prometheus/rules/llm-alerts.yml`).not.toBeNull();
    return (rule?.[1] ?? '').replace(/\s+/g, ' ').trim();
  };

  it('has its own row after the existing ones, holding the new panels', () => {
    // Expanded rows are followed by their panels in the top-level list.
    const at = committed.panels.findIndex((p: Json) => p.type === 'row' && p.title === 'Cost and rate limits');
    expect(at).toBeGreaterThan(0);
    // Its panels run to the next row (A/B testing comes after it).
    const rest = committed.panels.slice(at + 1);
    const next = rest.findIndex((p: Json) => p.type === 'row');
    expect(rest[next]?.title).toBe('A/B testing');
    const after = rest.slice(0, next);
    expect(after.map((p: Json) => p.title)).toEqual([
      'Spend per hour',
      'Hourly budget used',
      'Unpriced calls / min',
      'Lowest rate-limit headroom',
      'Cost per hour by model',
      'Spend in the last hour vs budget',
      'Cost per 1,000 calls',
      'Token mix: cached and reasoning share',
      'Rate-limit headroom (remaining / limit)',
      'Rate-limited calls (429) per minute',
    ]);
  });

  it('shows dollars in USD and shares in percent', () => {
    for (const re of [
      /^Spend per hour/,
      /^Cost per hour by model/,
      /^Spend in the last hour/,
      /^Cost per 1,000 calls/,
    ]) {
      expect(byTitle(re).fieldConfig.defaults.unit).toBe('currencyUSD');
    }
    for (const re of [/^Hourly budget used/, /^Token mix/, /^Rate-limit headroom/, /^Lowest rate-limit headroom/]) {
      expect(byTitle(re).fieldConfig.defaults.unit).toBe('percentunit');
    }
  });

  it('cost per hour and per 1,000 calls read llm_cost_usd_total per model', () => {
    expect(exprs(byTitle(/^Cost per hour by model/))[0]).toMatch(
      /^sum by \(gen_ai_request_model\) \(rate\(llm_cost_usd_total\{[^}]*\}\[\$__rate_interval\]\)\) \* 3600$/,
    );
    expect(exprs(byTitle(/^Cost per 1,000 calls/))[0]).toMatch(
      /^sum by \(gen_ai_request_model\) \(rate\(llm_cost_usd_total\{.*\/ sum by \(gen_ai_request_model\) \(rate\(llm_inference_latency_seconds_count\{.*\* 1000$/,
    );
  });

  it('spend vs budget shows the two sides of LLMCostBudgetExceeded', () => {
    expect(alertExpr('LLMCostBudgetExceeded')).toBe(`${RECORDED.spendLastHour} > on (job) ${RECORDED.budgetPerHour}`);
    const p = byTitle(/^Spend in the last hour vs budget/);
    expect(exprs(p).map((e) => e.replace(/\{[^}]*\}/g, ''))).toEqual([RECORDED.spendLastHour, RECORDED.budgetPerHour]);
    const used = exprs(byTitle(/^Hourly budget used/))[0] ?? '';
    expect(used.replace(/\{[^}]*\}/g, '')).toBe(`max(${RECORDED.spendLastHour} / on (job) ${RECORDED.budgetPerHour})`);
    expect(byTitle(/^Hourly budget used/).fieldConfig.defaults.thresholds.steps).toContainEqual({
      value: THRESHOLDS.budgetShare,
      color: 'red',
    });
  });

  it('rate-limit headroom is remaining / limit with the LLMRateLimitNearlyExhausted threshold', () => {
    const threshold = /llm_rate_limit_remaining \/ llm_rate_limit_limit < ([0-9.]+)/.exec(
      alertExpr('LLMRateLimitNearlyExhausted'),
    );
    expect(Number(threshold?.[1])).toBe(THRESHOLDS.rateLimitHeadroom);
    const p = byTitle(/^Rate-limit headroom/);
    expect(exprs(p)[0]?.replace(/\{[^}]*\}/g, '')).toBe(
      'min by (gen_ai_provider_name, server_address, llm_rate_limit_kind) (llm_rate_limit_remaining / llm_rate_limit_limit)',
    );
    expect(p.fieldConfig.defaults.thresholds.steps).toContainEqual({
      value: THRESHOLDS.rateLimitHeadroom,
      color: 'red',
    });
    expect(byTitle(/^Lowest rate-limit headroom/).fieldConfig.defaults.thresholds.steps).toEqual([
      { value: null, color: 'red' },
      { value: THRESHOLDS.rateLimitHeadroom, color: 'green' },
    ]);
  });

  it('token mix divides cache tokens by input tokens and reasoning tokens by output tokens', () => {
    const [e] = exprs(byTitle(/^Token mix/));
    expect(e).toContain(
      'llm_token_usage_detail_total{service_name=~"$service_name", gen_ai_provider_name=~"$provider", gen_ai_request_model=~"$model", gen_ai_token_type=~"cached_input|cache_creation_input"}',
    );
    expect(e).toMatch(
      /cache_creation_input"\}\[\$__rate_interval\]\)\) \/ on \(gen_ai_request_model\) group_left sum by \(gen_ai_request_model\) \(rate\(llm_request_token_count_sum\{[^}]*gen_ai_token_type="input"\}/,
    );
    expect(e).toMatch(
      /gen_ai_token_type=~"reasoning"\}\[\$__rate_interval\]\)\) \/ on \(gen_ai_request_model\) group_left sum by \(gen_ai_request_model\) \(rate\(llm_request_token_count_sum\{[^}]*gen_ai_token_type="output"\}/,
    );
  });

  it('429s are the rate_limit errors per minute', () => {
    expect(exprs(byTitle(/^Rate-limited calls \(429\)/))[0]).toMatch(
      /^sum by \(gen_ai_provider_name, gen_ai_request_model\) \(rate\(llm_error_rate_total\{[^}]*, error_type="rate_limit"\}\[\$__rate_interval\]\)\) \* 60$/,
    );
  });
});

describe('A/B testing', () => {
  const committed = JSON.parse(readFileSync(committedPath, 'utf8'));
  const at = committed.panels.findIndex((p: Json) => p.type === 'row' && p.title === 'A/B testing');
  const panels = committed.panels.slice(at + 1);
  const exprOf = (title: string) => panels.find((p: Json) => p.title === title)?.targets?.[0]?.expr as string;

  it('is the last row: calls, P95 and failures by llm_variant, then the p-values and effect sizes', () => {
    expect(at).toBeGreaterThan(0);
    expect(panels.every((p: Json) => p.type !== 'row')).toBe(true);
    expect(panels.map((p: Json) => p.title)).toEqual([
      'Calls per minute by variant',
      'P95 latency by variant',
      'Failed-call share by variant',
      'A/B p-values (arm vs baseline)',
      'A/B effect sizes (arm minus baseline)',
    ]);
  });

  it('groups the call metrics by llm_variant, naming the calls outside experiments', () => {
    for (const title of ['Calls per minute by variant', 'P95 latency by variant', 'Failed-call share by variant']) {
      expect(exprOf(title), title).toContain('sum by (llm_variant');
      expect(exprOf(title), title).toContain('label_replace(');
      expect(exprOf(title), title).toContain('"(no experiment)"');
    }
  });

  it('reads the llm_ab_* gauges by experiment, arm, metric and test, with a line at p = 0.05', () => {
    const p = panels.find((x: Json) => x.title === 'A/B p-values (arm vs baseline)');
    expect(exprOf('A/B p-values (arm vs baseline)')).toBe(
      'min by (llm_experiment, llm_variant, llm_ab_metric, llm_ab_test) (llm_ab_p_value{service_name=~"$service_name"})',
    );
    expect(p.fieldConfig.defaults.thresholds.steps).toContainEqual({ value: THRESHOLDS.abPValue, color: 'red' });
    expect(exprOf('A/B effect sizes (arm minus baseline)')).toContain('llm_ab_effect_size{');
  });
});
