// How an A/B report becomes the metrics and tags of the variants' runs (no server needed).
import type { AbReport } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { abRunEntries } from '../src/ab-metrics.js';

const REPORT: AbReport = {
  experiment: 'exp',
  baseline: 'a',
  computedAtMs: 0,
  arms: [
    { variant: 'a', calls: 100, errors: 1, latencySamples: 99, qualitySamples: 40 },
    { variant: 'b', calls: 90, errors: 9, latencySamples: 81, qualitySamples: 0 },
  ],
  comparisons: [
    ...(['mann_whitney', 'welch_t'] as const).map((test) => ({
      experiment: 'exp',
      variant: 'b',
      baseline: 'a',
      metric: 'latency' as const,
      test,
      samples: 81,
      baselineSamples: 99,
      statistic: 1,
      pValue: test === 'mann_whitney' ? 0.001 : 0.002,
      effectSize: test === 'mann_whitney' ? 0.4 : Number.POSITIVE_INFINITY,
      effectSizeKind: test === 'mann_whitney' ? ('rank_biserial' as const) : ('hedges_g' as const),
      difference: 0.05,
    })),
  ],
};

describe('A/B report to MLflow run metrics', () => {
  it('short keys for the primary test, the other test under its name, tags naming tests and baseline', () => {
    const [a, b] = abRunEntries(REPORT);
    expect(a?.variant).toBe('a');
    expect(Object.fromEntries(a?.metrics.map((m) => [m.key, m.value]) ?? [])).toEqual({
      'ab.latency.samples': 99,
      'ab.quality_score.samples': 40,
      'ab.error_ratio.samples': 100,
    });
    expect(a?.tags).toContainEqual({ key: 'ab.role', value: 'baseline' });
    const bm = Object.fromEntries(b?.metrics.map((m) => [m.key, m.value]) ?? []);
    expect(bm).toMatchObject({
      'ab.latency.p_value': 0.001,
      'ab.latency.effect_size': 0.4,
      'ab.latency.difference': 0.05,
      'ab.latency.baseline_samples': 99,
      'ab.latency.welch_t.p_value': 0.002,
      // MLflow's JSON API takes finite numbers only.
      'ab.latency.welch_t.effect_size': Number.MAX_VALUE,
    });
    expect(b?.tags).toEqual(
      expect.arrayContaining([
        { key: 'ab.experiment', value: 'exp' },
        { key: 'ab.baseline', value: 'a' },
        { key: 'ab.role', value: 'treatment' },
        { key: 'ab.latency.test', value: 'mann_whitney' },
        { key: 'ab.latency.effect_size', value: 'rank_biserial' },
      ]),
    );
  });

  it('puts the experiment in the keys when a variant is an arm of several experiments', () => {
    const [a, b] = abRunEntries(REPORT, (variant) => variant === 'b');
    expect(b?.metrics.map((m) => m.key)).toContain('ab.exp.latency.p_value');
    expect(a?.metrics.map((m) => m.key)).toContain('ab.latency.samples');
  });
});
