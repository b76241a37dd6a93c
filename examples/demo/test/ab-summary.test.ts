import { defineVariant } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { countWords, onTopicEvaluator } from '../src/ab-experiment.js';
import {
  type ComparisonSummary,
  formatExperiment,
  formatP,
  histogramQuantile,
  readComparison,
  summarizeExperiment,
} from '../src/ab-summary.js';
import { parseSamples } from '../src/summary.js';

const E = 'llm_experiment="summary-model"';
const arm = (variant: string, model: string, le: string, n: number) =>
  `llm_inference_latency_seconds_bucket{gen_ai_request_model="${model}",llm_variant="${variant}",le="${le}"} ${n}`;

// Two series per arm (two operations): the buckets add up per arm. haiku: 100 calls, 90 of them
// below 0.25 s; sonnet: 100 calls, 50 below 0.5 s, 90 below 0.75 s.
const PAGE = [
  arm('haiku', 'claude-haiku-4-5', '0.1', 20),
  arm('haiku', 'claude-haiku-4-5', '0.25', 60),
  arm('haiku', 'claude-haiku-4-5', '0.5', 70),
  arm('haiku', 'claude-haiku-4-5', '+Inf', 70),
  'llm_inference_latency_seconds_count{gen_ai_request_model="claude-haiku-4-5",llm_variant="haiku"} 70',
  'llm_inference_latency_seconds_bucket{gen_ai_request_model="claude-haiku-4-5",llm_variant="haiku",error_type="500",le="0.1"} 10',
  'llm_inference_latency_seconds_bucket{gen_ai_request_model="claude-haiku-4-5",llm_variant="haiku",error_type="500",le="0.25"} 30',
  'llm_inference_latency_seconds_bucket{gen_ai_request_model="claude-haiku-4-5",llm_variant="haiku",error_type="500",le="0.5"} 30',
  'llm_inference_latency_seconds_bucket{gen_ai_request_model="claude-haiku-4-5",llm_variant="haiku",error_type="500",le="+Inf"} 30',
  'llm_inference_latency_seconds_count{gen_ai_request_model="claude-haiku-4-5",llm_variant="haiku",error_type="500"} 30',
  'llm_error_rate_total{gen_ai_request_model="claude-haiku-4-5",llm_variant="haiku",error_type="500"} 30',
  arm('sonnet', 'claude-sonnet-4-6', '0.25', 10),
  arm('sonnet', 'claude-sonnet-4-6', '0.5', 50),
  arm('sonnet', 'claude-sonnet-4-6', '0.75', 90),
  arm('sonnet', 'claude-sonnet-4-6', '1', 100),
  arm('sonnet', 'claude-sonnet-4-6', '+Inf', 100),
  'llm_inference_latency_seconds_count{gen_ai_request_model="claude-sonnet-4-6",llm_variant="sonnet"} 100',
  'llm_error_rate_total{gen_ai_request_model="claude-sonnet-4-6",llm_variant="sonnet",error_type="429"} 2',
  // A call outside the experiment: no llm_variant, not an arm's.
  'llm_inference_latency_seconds_count{gen_ai_request_model="gpt-4o-mini"} 500',
  `llm_ab_samples{${E},llm_variant="haiku",llm_ab_metric="quality_score"} 64`,
  `llm_ab_samples{${E},llm_variant="haiku",llm_ab_metric="error_ratio"} 100`,
  `llm_ab_samples{${E},llm_variant="sonnet",llm_ab_metric="quality_score"} 71`,
  `llm_ab_samples{${E},llm_variant="sonnet",llm_ab_metric="error_ratio"} 100`,
  `llm_ab_p_value{${E},llm_variant="sonnet",llm_ab_metric="latency",llm_ab_test="mann_whitney"} 2.5e-21`,
  `llm_ab_effect_size{${E},llm_variant="sonnet",llm_ab_metric="latency",llm_ab_test="mann_whitney"} 0.8`,
  `llm_ab_difference{${E},llm_variant="sonnet",llm_ab_metric="latency",llm_ab_test="mann_whitney"} 0.2`,
  `llm_ab_p_value{${E},llm_variant="sonnet",llm_ab_metric="latency",llm_ab_test="welch_t"} 1e-10`,
  `llm_ab_effect_size{${E},llm_variant="sonnet",llm_ab_metric="latency",llm_ab_test="welch_t"} 1.5`,
  `llm_ab_difference{${E},llm_variant="sonnet",llm_ab_metric="latency",llm_ab_test="welch_t"} 0.21`,
  `llm_ab_p_value{${E},llm_variant="sonnet",llm_ab_metric="quality_score",llm_ab_test="welch_t"} 0.0004`,
  `llm_ab_effect_size{${E},llm_variant="sonnet",llm_ab_metric="quality_score",llm_ab_test="welch_t"} -0.6`,
  `llm_ab_difference{${E},llm_variant="sonnet",llm_ab_metric="quality_score",llm_ab_test="welch_t"} -0.1`,
  `llm_ab_p_value{${E},llm_variant="sonnet",llm_ab_metric="error_ratio",llm_ab_test="two_proportion_z"} 0.31`,
  `llm_ab_effect_size{${E},llm_variant="sonnet",llm_ab_metric="error_ratio",llm_ab_test="two_proportion_z"} -0.9`,
  `llm_ab_difference{${E},llm_variant="sonnet",llm_ab_metric="error_ratio",llm_ab_test="two_proportion_z"} -0.28`,
  // Another experiment's gauges are not this one's.
  'llm_ab_samples{llm_experiment="other",llm_variant="x",llm_ab_metric="quality_score"} 5',
].join('\n');

describe('the A/B experiment section', () => {
  it('computes a quantile from cumulative buckets as histogram_quantile does', () => {
    const buckets = new Map([
      [0.25, 10],
      [0.5, 50],
      [0.75, 90],
      [1, 100],
      [Number.POSITIVE_INFINITY, 100],
    ]);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.5, 12);
    // rank 95 lies in (0.75, 1]: 0.75 + 0.25 * (95 - 90) / (100 - 90).
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.875, 12);
    // rank 5 in the first bucket: from 0 to 0.25.
    expect(histogramQuantile(0.05, buckets)).toBeCloseTo(0.125, 12);
    // A rank in the +Inf bucket gives the highest finite bound.
    expect(
      histogramQuantile(
        0.99,
        new Map([
          [0.5, 90],
          [Number.POSITIVE_INFINITY, 100],
        ]),
      ),
    ).toBe(0.5);
    expect(histogramQuantile(0.95, new Map())).toBeUndefined();
    expect(histogramQuantile(0.95, new Map([[Number.POSITIVE_INFINITY, 0]]))).toBeUndefined();
  });

  it("reads each arm's calls, errors, p95 and quality scores, baseline first, and the comparisons", () => {
    const summary = summarizeExperiment(parseSamples(PAGE), 'summary-model');
    expect(summary?.baseline).toBe('haiku');
    expect(summary?.arms).toEqual([
      // 100 calls in two series; rank 95 of the summed buckets (30, 90, 100, 100) is in (0.25, 0.5].
      { variant: 'haiku', models: ['claude-haiku-4-5'], calls: 100, errors: 30, p95Seconds: 0.375, qualityScores: 64 },
      {
        variant: 'sonnet',
        models: ['claude-sonnet-4-6'],
        calls: 100,
        errors: 2,
        p95Seconds: 0.875,
        qualityScores: 71,
      },
    ]);
    expect(summary?.comparisons).toHaveLength(4);
    expect(summary?.comparisons.find((c) => c.metric === 'quality_score')).toEqual({
      variant: 'sonnet',
      metric: 'quality_score',
      test: 'welch_t',
      pValue: 0.0004,
      effectSize: -0.6,
      difference: -0.1,
    });
    expect(summarizeExperiment(parseSamples(PAGE), 'absent')).toBeUndefined();
  });

  it('prints the arms and one reading per primary test', () => {
    const lines = formatExperiment(summarizeExperiment(parseSamples(PAGE), 'summary-model'));
    expect(lines).toEqual([
      '  arm     model              calls  p95 latency  error ratio  quality scores',
      '  haiku   claude-haiku-4-5     100      0.375 s        30.0%              64 (baseline)',
      '  sonnet  claude-sonnet-4-6    100      0.875 s         2.0%              71',
      '  sonnet vs haiku (arm minus baseline; significant below p = 0.05):',
      '    latency      Mann-Whitney U    rank-biserial +0.80  median +0.200 s   candidate is slower: p = 2.5e-21',
      "    quality      Welch's t         Hedges' g -0.60      mean -0.100       candidate is worse: p = 4.0e-4",
      "    error ratio  two-proportion z  Cohen's h -0.90      -28.0 points      no significant difference: p = 0.310",
    ]);
  });

  it('says when a metric is not compared yet, or the experiment has no series', () => {
    const page = PAGE.split('\n')
      .filter((l) => !l.includes('llm_ab_metric="quality_score",llm_ab_test'))
      .join('\n');
    const lines = formatExperiment(summarizeExperiment(parseSamples(page), 'summary-model'));
    expect(lines).toContain("    quality      Welch's t         not compared yet (too few values on one side)");
    expect(formatExperiment(undefined)).toEqual(['  no comparison yet (the experiment has no llm_ab_* series)']);
  });

  it('reads a comparison: the direction from the sign, significance from alpha', () => {
    const c = (metric: string, pValue: number, effectSize: number): ComparisonSummary => ({
      variant: 'b',
      metric,
      test: 't',
      pValue,
      effectSize,
      difference: effectSize,
    });
    expect(readComparison(c('latency', 0.01, -0.3))).toBe('candidate is faster: p = 0.010');
    expect(readComparison(c('quality_score', 0.01, 0.3))).toBe('candidate is better: p = 0.010');
    expect(readComparison(c('error_ratio', 0.049, 0.3))).toBe('candidate fails more often: p = 0.049');
    expect(readComparison(c('error_ratio', 0.05, 0.3))).toBe('no significant difference: p = 0.050');
    expect(readComparison(c('latency', 0.02, 0.3), 0.01)).toBe('no significant difference: p = 0.020');
    expect(readComparison(c('latency', Number.NaN, 0.3))).toBe('no significant difference: p = NaN');
    expect(formatP(0)).toBe('< 1e-300');
    expect(formatP(0.5)).toBe('0.500');
  });
});

describe('the on_topic evaluator', () => {
  const variant = defineVariant({ name: 'ab-summary-test' });
  const call = (response: unknown, withVariant = true) => ({
    provider: 'anthropic',
    operation: 'chat',
    durationSeconds: 0.1,
    request: {},
    response,
    variant: withVariant ? variant : undefined,
  });
  const signal = new AbortController().signal;

  it('counts whole words case-insensitively in one pass', () => {
    expect(countWords('Word word um, words umm "um"', 'word', 'um')).toEqual({ on: 2, off: 2 });
    expect(countWords('', 'word', 'um')).toEqual({ on: 0, off: 0 });
  });

  it("scores an experiment's answer by its share of on-topic words and skips the others", () => {
    const message = { type: 'message', content: [{ type: 'text', text: 'Word word word um' }], model: 'claude' };
    expect(onTopicEvaluator.evaluate(call(message), { signal })).toBe(0.75);
    expect(onTopicEvaluator.evaluate(call('Word word'), { signal })).toBe(1);
    // Outside the experiment, or an answer with neither word (a real model's): skipped.
    expect(onTopicEvaluator.evaluate(call(message, false), { signal })).toBeUndefined();
    expect(onTopicEvaluator.evaluate(call('The release adds two features.'), { signal })).toBeUndefined();
  });
});
