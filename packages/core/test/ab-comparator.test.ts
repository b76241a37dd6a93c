import { context, metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AbReport,
  defineExperiment,
  defineVariant,
  getAbComparator,
  getLlmMetrics,
  LlmOtelConfigError,
  type Variant,
  withExperiment,
  withVariant,
} from '../src/index.js';
import {
  AbComparator,
  FastAggregator,
  resetAbComparatorForTests,
  resetExperimentsForTests,
  resetVariantsForTests,
} from '../src/internal.js';
import { TestContextManager } from './async-context.js';
import { collectByName, installProvider, type TestReader } from './collect.js';
import { SeededRandom } from './drift-random.js';

let reader: TestReader;

beforeEach(() => {
  resetVariantsForTests();
  resetExperimentsForTests();
  resetAbComparatorForTests();
  ({ reader } = installProvider());
  context.setGlobalContextManager(new TestContextManager());
  // Every collection computes afresh; the samples keep all values.
  getAbComparator().configure({ minIntervalMs: 0, minSamples: 30, maxSamples: 2000 });
});

afterEach(() => {
  getLlmMetrics().detachAggregator();
  context.disable();
  metrics.disable();
});

function call(durationSeconds: number, extra: Record<string, unknown> = {}) {
  getLlmMetrics().recordInference({
    provider: 'openai',
    operation: 'chat',
    model: 'gpt-4o-mini',
    durationSeconds,
    inputTokens: 100,
    outputTokens: 20,
    ...extra,
  });
}

describe('the llm.variant label', () => {
  it('is on the call metrics of an experiment arm only: not on other calls, other variants, or the cost', async () => {
    const [a, b] = [defineVariant({ name: 'a' }), defineVariant({ name: 'b' })];
    const plain = defineVariant({ name: 'prompt-only' });
    defineExperiment({ name: 'exp', variants: [a, b] });
    withVariant(a, () => call(1));
    withVariant(b, () => call(2, { error: 'timeout' }));
    withVariant(plain, () => call(3));
    call(4);
    const page = await collectByName(reader);
    const labels = (name: string) =>
      (page.get(name)?.dataPoints ?? []).map((p) => p.attributes['llm.variant'] ?? '-').sort();
    expect(labels('llm_inference_latency_seconds')).toEqual(['-', 'a', 'b']);
    expect(labels('llm_error_rate_total')).toEqual(['b']);
    expect(labels('llm_request_token_count')).toEqual(['-', '-', 'a', 'a', 'b', 'b']);
    expect(labels('llm_token_generation_rate_total')).toEqual(['-', 'a', 'b']);
    // Spend stays per provider, model and token type.
    for (const p of page.get('llm_cost_usd_total')?.dataPoints ?? [])
      expect(Object.keys(p.attributes)).not.toContain('llm.variant');
    // The calls of a variant that is no arm, and those without a variant, share the unlabelled series.
    const latency = page.get('llm_inference_latency_seconds')?.dataPoints ?? [];
    const unlabelled = latency.find((p) => p.attributes['llm.variant'] === undefined);
    expect((unlabelled?.value as { count: number }).count).toBe(2);
  });

  it("keeps series apart in core's aggregator: a variant named like an error type is not that error", () => {
    const aggregator = new FastAggregator();
    getLlmMetrics().attachAggregator(aggregator);
    const timeout = defineVariant({ name: 'timeout' });
    defineExperiment({ name: 'names', variants: [timeout, defineVariant({ name: 'other' })] });
    withVariant(timeout, () => call(1));
    call(1, { error: 'timeout' });
    const cells = [...aggregator.inferenceLatency.cells.values()].map((c) => ({ ...c.attributes }));
    expect(cells).toHaveLength(2);
    expect(cells).toContainEqual(expect.objectContaining({ 'llm.variant': 'timeout' }));
    expect(cells).toContainEqual(expect.objectContaining({ 'error.type': 'timeout' }));
    for (const c of cells) expect('llm.variant' in c && 'error.type' in c).toBe(false);
    // Spend has one series for both calls (no variant in its key).
    expect(aggregator.cost.cells.size).toBe(2); // input and output token types
  });

  it('is bounded by the distinct-value limit like any attribute (_OTHER past it, counted)', async () => {
    const m = getLlmMetrics();
    const before = m.getOptions().maxDistinctValues;
    try {
      m.configure({ maxDistinctValues: 2 });
      const arms = ['x1', 'x2', 'x3'].map((name) => defineVariant({ name }));
      defineExperiment({ name: 'many', variants: arms });
      for (const arm of arms) withVariant(arm, () => call(1));
      const page = await collectByName(reader);
      const labels = (page.get('llm_inference_latency_seconds')?.dataPoints ?? []).map(
        (p) => p.attributes['llm.variant'],
      );
      expect(labels.filter((l) => l === '_OTHER').length).toBeGreaterThanOrEqual(1);
      expect(new Set(labels).size).toBeLessThanOrEqual(3);
      const overflow = page.get('llm_otel_attribute_overflow_total')?.dataPoints ?? [];
      expect(overflow.some((p) => p.attributes['llm_otel.attribute'] === 'llm.variant')).toBe(true);
    } finally {
      m.configure({ maxDistinctValues: before });
    }
  });

  it('withExperiment runs the callback under the assigned variant', async () => {
    const [a, b] = [defineVariant({ name: 'a' }), defineVariant({ name: 'b' })];
    const e = defineExperiment({ name: 'exp', variants: [a, b] });
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) withExperiment(e, `user-${i}`, () => call(1));
    for (const p of (await collectByName(reader)).get('llm_inference_latency_seconds')?.dataPoints ?? [])
      seen.add(String(p.attributes['llm.variant']));
    expect(seen).toEqual(new Set(['a', 'b']));
  });
});

interface GaugePoint {
  attributes: Record<string, unknown>;
  value: number;
}

async function gauge(name: string): Promise<GaugePoint[]> {
  return ((await collectByName(reader)).get(name)?.dataPoints ?? []) as GaugePoint[];
}

const find = (points: GaugePoint[], metric: string, test: string, variant = 'slow') =>
  points.find(
    (p) =>
      p.attributes['llm.ab.metric'] === metric &&
      p.attributes['llm.ab.test'] === test &&
      p.attributes['llm.variant'] === variant,
  )?.value;

/** Calls and scores of two arms from seeded distributions: `slow` slower by `shift` seconds and worse by `worse`. */
function traffic(base: Variant, other: Variant, n: number, shift: number, worse: number, failOther: number) {
  const r = new SeededRandom(20261130);
  for (let i = 0; i < n; i++) {
    for (const [variant, s, w, fail] of [
      [base, 0, 0, 0.02],
      [other, shift, worse, failOther],
    ] as const) {
      withVariant(variant, () => {
        const failed = r.next() < fail;
        call(r.lognormal(0.4, 0.3) + s, failed ? { error: 'server_error' } : {});
        getLlmMetrics().recordQualityScore(Math.min(1, Math.max(0, 0.8 - w + 0.1 * r.normal())));
      });
    }
  }
}

describe('the A/B comparator', () => {
  it('reports a known difference (slower, worse, more errors) with p < 0.01 and the right signs', async () => {
    const base = defineVariant({ name: 'base' });
    const slow = defineVariant({ name: 'slow' });
    defineExperiment({ name: 'model-swap', variants: [base, slow] });
    traffic(base, slow, 300, 0.15, 0.1, 0.1);
    const p = await gauge('llm_ab_p_value');
    const effect = await gauge('llm_ab_effect_size');
    const diff = await gauge('llm_ab_difference');
    for (const test of ['mann_whitney', 'welch_t']) {
      expect(find(p, 'latency', test), test).toBeLessThan(0.01);
      expect(find(effect, 'latency', test), test).toBeGreaterThan(0);
      expect(find(p, 'quality_score', test), test).toBeLessThan(0.01);
      expect(find(effect, 'quality_score', test), test).toBeLessThan(0);
    }
    expect(find(diff, 'latency', 'welch_t')).toBeGreaterThan(0.1);
    expect(find(diff, 'latency', 'welch_t')).toBeLessThan(0.2);
    expect(find(p, 'error_ratio', 'two_proportion_z')).toBeLessThan(0.01);
    expect(find(effect, 'error_ratio', 'two_proportion_z')).toBeGreaterThan(0);
    // No comparison of the baseline with itself; every series names the experiment.
    expect(p.every((x) => x.attributes['llm.variant'] === 'slow')).toBe(true);
    expect(p.every((x) => x.attributes['llm.experiment'] === 'model-swap')).toBe(true);
    expect(p).toHaveLength(5);
    const samples = await gauge('llm_ab_samples');
    const calls = samples.find(
      (s) => s.attributes['llm.variant'] === 'base' && s.attributes['llm.ab.metric'] === 'error_ratio',
    );
    expect(calls?.value).toBe(300);
  });

  it('does not report a difference between two arms drawn from the same distribution (p > 0.05)', async () => {
    const base = defineVariant({ name: 'base' });
    const same = defineVariant({ name: 'slow' });
    defineExperiment({ name: 'aa-test', variants: [base, same] });
    traffic(base, same, 300, 0, 0, 0.02);
    const p = await gauge('llm_ab_p_value');
    expect(p).toHaveLength(5);
    for (const point of p) expect(point.value, JSON.stringify(point.attributes)).toBeGreaterThan(0.05);
  });

  it('reports nothing before both sides have the minimum sample; the sample sizes show', async () => {
    const base = defineVariant({ name: 'base' });
    const slow = defineVariant({ name: 'slow' });
    defineExperiment({ name: 'early', variants: [base, slow] });
    traffic(base, slow, 29, 1, 0.5, 0);
    expect(await gauge('llm_ab_p_value')).toEqual([]);
    const samples = await gauge('llm_ab_samples');
    expect(samples.map((s) => [s.attributes['llm.variant'], s.attributes['llm.ab.metric'], s.value])).toEqual(
      expect.arrayContaining([
        ['base', 'latency', 29],
        ['slow', 'quality_score', 29],
        ['slow', 'error_ratio', 29],
      ]),
    );
    traffic(base, slow, 1, 1, 0.5, 0);
    expect(await gauge('llm_ab_p_value')).toHaveLength(5);
  });

  it('keeps a bounded uniform sample per arm; recomputes at most every minIntervalMs; options are checked', () => {
    let now = 0;
    const random = new SeededRandom(1);
    const comparator = new AbComparator({ maxSamples: 100, minSamples: 10, minIntervalMs: 1000 }, () => random.next());
    const [a, b] = [defineVariant({ name: 'a' }), defineVariant({ name: 'b' })];
    comparator.addExperiment(defineExperiment({ name: 'bounded', variants: [a, b] }));
    const clocked = new AbComparator({ minIntervalMs: 1000, minSamples: 10 }, Math.random, () => now);
    clocked.addExperiment(defineExperiment({ name: 'bounded', variants: [a, b] }));
    for (let i = 0; i < 10_000; i++) {
      comparator.call(a, i / 10_000, false);
      comparator.call(b, i / 10_000 + 0.001, i % 10 === 0);
      if (i < 20) {
        clocked.call(a, 1, false);
        clocked.call(b, 2, false);
      }
    }
    const [report] = comparator.compare() as [AbReport];
    expect(report.arms).toEqual([
      { variant: 'a', calls: 10_000, errors: 0, latencySamples: 100, qualitySamples: 0 },
      { variant: 'b', calls: 10_000, errors: 1000, latencySamples: 100, qualitySamples: 0 },
    ]);
    // The sample is spread over the whole stream (uniform), not its first 100 values.
    expect(report.comparisons.find((c) => c.test === 'welch_t')?.baselineSamples).toBe(100);
    const first = clocked.latest();
    expect(first[0]?.comparisons.length).toBe(3);
    clocked.call(a, 5, false);
    now = 999;
    expect(clocked.latest()).toBe(first);
    now = 1000;
    expect(clocked.latest()).not.toBe(first);
    expect(() => comparator.configure({ minSamples: 1 })).toThrow(LlmOtelConfigError);
    expect(() => comparator.configure({ maxSamples: Number.NaN })).toThrow(/maxSamples must be an integer/);
    expect(() => comparator.configure({ interval: 5 } as never)).toThrow(/unknown option "interval"/);
  });
});
