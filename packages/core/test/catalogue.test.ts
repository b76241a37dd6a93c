import { readFileSync } from 'node:fs';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import * as semconv from '@opentelemetry/semantic-conventions/incubating';
import { afterEach, describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import { getLlmMetrics, getModelRegistry, INSTRUMENT_LIST, INSTRUMENTS } from '../src/index.js';

const REPO = new URL('../../../', import.meta.url);
const SPEC = readFileSync(new URL('docs/ml-monitoring.md', REPO), 'utf8');
const ALERTS = readFileSync(new URL('prometheus/rules/llm-alerts.yml', REPO), 'utf8');

/** The spec's metric list: "- `llm_name` - Histogram of ...", as name -> Prometheus type. */
function specMetrics(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of SPEC.split('\n')) {
    const m = /^- `(llm_[a-z_]+)` - (Histogram|Counter|Gauge)\b/.exec(line);
    if (m) out.set(m[1] as string, (m[2] as string).toLowerCase());
  }
  return out;
}

/** The number an alert of prometheus/rules/llm-alerts.yml compares with (`expr: ... > N`). */
function alertThreshold(alert: string): number {
  const block = ALERTS.slice(ALERTS.indexOf(`alert: ${alert}`));
  const m = /expr:[^]*?>\s*([0-9.]+)/.exec(block);
  if (m === null) throw new Error(`no threshold for ${alert}`);
  return Number(m[1]);
}

interface Exposition {
  types: Map<string, string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

/** Records through the SDK and returns the /metrics text the Prometheus exporter would serve, parsed. */
async function exposition(record: () => void): Promise<Exposition> {
  const reader = new PrometheusExporter({ preventServerStart: true });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  record();
  const { resourceMetrics } = await reader.collect();
  const text = new PrometheusSerializer().serialize(resourceMetrics);
  const types = new Map<string, string>();
  const samples: Exposition['samples'] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1] as string, type[2] as string);
    const sample = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (sample) {
      const labels = Object.fromEntries(
        [...(sample[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
      );
      samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
    }
  }
  return { types, samples };
}

const bucketEdges = (page: Exposition, name: string) => [
  ...new Set(page.samples.filter((s) => s.name === `${name}_bucket`).map((s) => s.labels.le)),
];

const bucketCount = (page: Exposition, name: string, le: string) =>
  page.samples.find((s) => s.name === `${name}_bucket` && s.labels.le === le)?.value;

describe('instrument catalogue', () => {
  afterEach(() => metrics.disable());

  it('exports the metrics of the spec under the spec names, each of the type the spec says', async () => {
    const spec = specMetrics();
    expect(spec.size).toBe(9);
    const page = await exposition(() => {
      const m = getLlmMetrics();
      m.recordInference({
        provider: 'p',
        operation: 'chat',
        model: 'm',
        durationSeconds: 1,
        outputTokens: 3,
        error: 'timeout',
      });
      m.recordQualityScore(0.5, { model: 'm' });
      m.recordSummarizationLength(100, { model: 'm' });
      m.recordIntentParsing(true, { model: 'm' });
      getModelRegistry().registerModel({ modelName: 'm', version: 'v1', modelHash: 'abcdef', metadata: {} });
    });
    for (const [name, type] of spec) expect(page.types.get(name), name).toBe(type);
    expect(
      INSTRUMENT_LIST.filter((i) => i.group === 'spec')
        .map((i) => i.prometheusName)
        .sort(),
    ).toEqual([...spec.keys()].sort());
  });

  it('gives every llm_* instrument the Prometheus name the catalogue documents', async () => {
    const page = await exposition(() =>
      getLlmMetrics().recordInference({
        provider: 'p',
        operation: 'chat',
        durationSeconds: 2,
        inputTokens: 5,
        outputTokens: 30,
        timeToFirstTokenSeconds: 0.5,
      }),
    );
    for (const i of [
      INSTRUMENTS.inferenceLatency,
      INSTRUMENTS.requestTokens,
      INSTRUMENTS.timeToFirstToken,
      INSTRUMENTS.timePerOutputToken,
    ])
      expect(page.types.get(i.prometheusName), i.name).toBe('histogram');
    expect(page.types.get(INSTRUMENTS.tokenGeneration.prometheusName)).toBe('counter');
  });

  it('exports cost, token detail and rate-limit headroom under exactly these Prometheus names', async () => {
    const page = await exposition(() => {
      const m = getLlmMetrics();
      m.recordInference({
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o-mini',
        durationSeconds: 1,
        inputTokens: 1_000_000,
        cachedInputTokens: 200_000,
        outputTokens: 500_000,
      });
      m.recordInference({
        provider: 'openai',
        operation: 'chat',
        model: 'no-such-model',
        durationSeconds: 1,
        inputTokens: 1,
      });
      m.recordRateLimits({
        provider: 'openai',
        serverAddress: 'api.openai.com',
        headers: {
          'x-ratelimit-limit-requests': '60',
          'x-ratelimit-remaining-requests': '59',
          'x-ratelimit-reset-requests': '1s',
        },
      });
    });
    expect(page.types.get('llm_cost_usd_total')).toBe('counter');
    expect(page.types.get('llm_cost_unpriced_calls_total')).toBe('counter');
    expect(page.types.get('llm_token_usage_detail_total')).toBe('counter');
    for (const name of ['llm_rate_limit_remaining', 'llm_rate_limit_limit', 'llm_rate_limit_reset_seconds'])
      expect(page.types.get(name), name).toBe('gauge');
    const sample = (name: string, labels: Record<string, string>) =>
      page.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(
      sample('llm_cost_usd_total', { gen_ai_request_model: 'gpt-4o-mini', gen_ai_token_type: 'input' }),
    ).toBeCloseTo(0.12, 12);
    expect(sample('llm_cost_usd_total', { gen_ai_token_type: 'cached_input' })).toBeCloseTo(0.015, 12);
    expect(sample('llm_cost_usd_total', { gen_ai_token_type: 'output' })).toBeCloseTo(0.3, 12);
    expect(sample('llm_cost_unpriced_calls_total', { gen_ai_request_model: 'no-such-model' })).toBe(1);
    expect(sample('llm_token_usage_detail_total', { gen_ai_token_type: 'cached_input' })).toBe(200_000);
    const headroom = {
      gen_ai_provider_name: 'openai',
      server_address: 'api.openai.com',
      llm_rate_limit_kind: 'requests',
    };
    expect(sample('llm_rate_limit_remaining', headroom)).toBe(59);
    expect(sample('llm_rate_limit_limit', headroom)).toBe(60);
    expect(sample('llm_rate_limit_reset_seconds', headroom)).toBe(1);
    for (const i of INSTRUMENT_LIST.filter((i) => i.group === 'cost' || i.group === 'rate_limit'))
      expect(page.types.has(i.prometheusName), i.prometheusName).toBe(true);
  });

  it('puts the HighLLMLatency threshold on a latency bucket edge, with 0.5 s resolution around it', async () => {
    const threshold = alertThreshold('HighLLMLatency');
    expect(threshold).toBe(5);
    const page = await exposition(() => {
      for (const seconds of [threshold, threshold + 0.01])
        getLlmMetrics().recordInference({ provider: 'p', operation: 'chat', durationSeconds: seconds });
    });
    const name = INSTRUMENTS.inferenceLatency.prometheusName;
    const edges = bucketEdges(page, name);
    expect(edges).toContain(String(threshold));
    // "P95 > 5 s" is read at an edge: a call of exactly 5 s is at or below it, a slower one above.
    expect(bucketCount(page, name, String(threshold))).toBe(1);
    expect(bucketCount(page, name, '+Inf')).toBe(2);
    const finite = edges.filter((e) => e !== '+Inf').map(Number);
    const around = finite.filter((e) => e >= 1 && e <= threshold + 1);
    for (let k = 1; k < around.length; k++)
      expect((around[k] as number) - (around[k - 1] as number)).toBeLessThanOrEqual(0.5);
    expect(finite.at(-1)).toBeGreaterThanOrEqual(120);
  });

  it('resolves a LLMModelDrift step (2 s) over several latency buckets', async () => {
    const step = alertThreshold('LLMModelDrift');
    expect(step).toBe(2);
    const page = await exposition(() =>
      getLlmMetrics().recordInference({ provider: 'p', operation: 'chat', durationSeconds: 1 }),
    );
    const finite = bucketEdges(page, INSTRUMENTS.inferenceLatency.prometheusName)
      .filter((e) => e !== '+Inf')
      .map(Number);
    const crossed = (base: number) => finite.filter((e) => e > base && e <= base + step).length;
    // A 2 s increase within 1 s to 6 s crosses four bucket edges; one at least up to 12 s.
    for (let base = 1; base + step <= 6; base += 0.25)
      expect(crossed(base), `from ${base} s`).toBeGreaterThanOrEqual(4);
    for (let base = 1; base + step <= 12; base += 0.25)
      expect(crossed(base), `from ${base} s`).toBeGreaterThanOrEqual(1);
  });

  it('counts 1 token and a 1M-token context in finite token buckets', async () => {
    const page = await exposition(() => {
      for (const tokens of [1, 1_000_000])
        getLlmMetrics().recordInference({ provider: 'p', operation: 'chat', durationSeconds: 1, inputTokens: tokens });
    });
    const name = INSTRUMENTS.requestTokens.prometheusName;
    const finite = bucketEdges(page, name).filter((e) => e !== '+Inf');
    expect(bucketCount(page, name, finite[0] as string)).toBe(1);
    expect(bucketCount(page, name, finite.at(-1) as string)).toBe(2);
  });

  it('uses units that the collector turns into exactly these names', () => {
    for (const i of INSTRUMENT_LIST) {
      // A gauge of unit 1 would get `_ratio`; a counter must end in _total once; seconds stay seconds.
      if (i.kind === 'gauge' || i.kind === 'observableGauge') expect(i.unit, i.name).not.toBe('1');
      if (i.kind === 'counter' && i.name.startsWith('llm_')) expect(i.name, i.name).toMatch(/_total$/);
      if (i.unit === 's' && i.name.startsWith('llm_')) expect(i.name, i.name).toMatch(/_seconds$/);
      if (i.unit !== 's') expect(i.unit, i.name).toMatch(/^\{[a-z_]+\}$/);
    }
  });

  it('uses the GenAI semantic-convention attribute keys and metric names', () => {
    expect(core.ATTR_GEN_AI_PROVIDER_NAME).toBe(semconv.ATTR_GEN_AI_PROVIDER_NAME);
    expect(core.ATTR_GEN_AI_OPERATION_NAME).toBe(semconv.ATTR_GEN_AI_OPERATION_NAME);
    expect(core.ATTR_GEN_AI_REQUEST_MODEL).toBe(semconv.ATTR_GEN_AI_REQUEST_MODEL);
    expect(core.ATTR_GEN_AI_RESPONSE_MODEL).toBe(semconv.ATTR_GEN_AI_RESPONSE_MODEL);
    expect(core.ATTR_GEN_AI_TOKEN_TYPE).toBe(semconv.ATTR_GEN_AI_TOKEN_TYPE);
    expect(core.ATTR_ERROR_TYPE).toBe(semconv.ATTR_ERROR_TYPE);
    expect(core.ATTR_SERVER_ADDRESS).toBe(semconv.ATTR_SERVER_ADDRESS);
    expect(core.ATTR_SERVER_PORT).toBe(semconv.ATTR_SERVER_PORT);
    expect(INSTRUMENTS.genAiOperationDuration.name).toBe(semconv.METRIC_GEN_AI_CLIENT_OPERATION_DURATION);
    expect(INSTRUMENTS.genAiTokenUsage.name).toBe(semconv.METRIC_GEN_AI_CLIENT_TOKEN_USAGE);
    expect(INSTRUMENTS.genAiTimeToFirstChunk.name).toBe(semconv.METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
  });

  it('never lets prompt or completion text become an attribute', () => {
    for (const i of INSTRUMENT_LIST) {
      for (const a of i.attributes) expect(a, i.name).not.toMatch(/prompt|completion|message|content|input\.|output\./);
    }
  });
});
