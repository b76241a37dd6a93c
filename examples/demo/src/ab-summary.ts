/**
 * The demo's "A/B experiment" section, read from the Prometheus text of /metrics like the other
 * sections: per arm the calls, p95 latency and error ratio of the `llm_variant`-labelled call
 * metrics and the quality scores the comparator holds (`llm_ab_samples`); per candidate arm the
 * comparator's p-values, effect sizes and differences (`llm_ab_*`) with a one-line reading.
 */
import type { Sample } from './summary.js';

/** One arm of an experiment as the metrics show it. */
export interface ArmSummary {
  variant: string;
  /** The request models of the arm's calls (`gen_ai_request_model`). */
  models: string[];
  calls: number;
  errors: number;
  /** p95 of the call latency histogram (all calls), interpolated as `histogram_quantile` does. */
  p95Seconds: number | undefined;
  /** Quality scores the comparator holds for the arm. */
  qualityScores: number;
}

/** One comparison of an arm with the baseline (arm minus baseline). */
export interface ComparisonSummary {
  variant: string;
  metric: string;
  test: string;
  pValue: number;
  effectSize: number | undefined;
  difference: number | undefined;
}

/** An experiment's arms (baseline first) and comparisons, as the metrics show them. */
export interface ExperimentSummary {
  experiment: string;
  baseline: string;
  arms: ArmSummary[];
  comparisons: ComparisonSummary[];
}

const LATENCY = 'llm_inference_latency_seconds';

/**
 * The `q` quantile of a cumulative histogram (`le` bound -> count), as Prometheus'
 * `histogram_quantile` computes it: linear inside the bucket that holds the rank; in the `+Inf`
 * bucket, the highest finite bound.
 */
export function histogramQuantile(q: number, buckets: ReadonlyMap<number, number>): number | undefined {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted[sorted.length - 1]?.[1] ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return lowerBound;
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / (count - lowerCount || 1);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}

/** The arms and comparisons of `experiment`; undefined when its gauges are not in the samples. */
export function summarizeExperiment(samples: readonly Sample[], experiment: string): ExperimentSummary | undefined {
  const ab = samples.filter((s) => s.name.startsWith('llm_ab_') && s.labels.llm_experiment === experiment);
  // llm_ab_samples has every arm, baseline included; the comparisons name every arm but the baseline.
  const variants = [...new Set(ab.filter((s) => s.name === 'llm_ab_samples').map((s) => s.labels.llm_variant ?? ''))];
  if (variants.length === 0) return undefined;
  const compared = new Set(ab.filter((s) => s.name === 'llm_ab_p_value').map((s) => s.labels.llm_variant));
  const baseline = variants.find((v) => !compared.has(v)) ?? variants[0] ?? '';
  const arms = [baseline, ...variants.filter((v) => v !== baseline)].map((variant) => armOf(samples, ab, variant));
  const valueOf = (name: string, labels: Record<string, string>) =>
    ab.find(
      (s) =>
        s.name === name &&
        s.labels.llm_variant === labels.llm_variant &&
        s.labels.llm_ab_metric === labels.llm_ab_metric &&
        s.labels.llm_ab_test === labels.llm_ab_test,
    )?.value;
  const comparisons = ab
    .filter((s) => s.name === 'llm_ab_p_value')
    .map((s) => ({
      variant: s.labels.llm_variant ?? '',
      metric: s.labels.llm_ab_metric ?? '',
      test: s.labels.llm_ab_test ?? '',
      pValue: s.value,
      effectSize: valueOf('llm_ab_effect_size', s.labels),
      difference: valueOf('llm_ab_difference', s.labels),
    }));
  return { experiment, baseline, arms, comparisons };
}

function armOf(samples: readonly Sample[], ab: readonly Sample[], variant: string): ArmSummary {
  const models = new Set<string>();
  const buckets = new Map<number, number>();
  let calls = 0;
  let errors = 0;
  for (const s of samples) {
    if (s.labels.llm_variant !== variant) continue;
    if (s.name === `${LATENCY}_count`) {
      calls += s.value;
      if (s.labels.gen_ai_request_model) models.add(s.labels.gen_ai_request_model);
    } else if (s.name === `${LATENCY}_bucket`) {
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + s.value);
    } else if (s.name === 'llm_error_rate_total') errors += s.value;
  }
  const qualityScores =
    ab.find(
      (s) =>
        s.name === 'llm_ab_samples' && s.labels.llm_variant === variant && s.labels.llm_ab_metric === 'quality_score',
    )?.value ?? 0;
  return {
    variant,
    models: [...models].sort(),
    calls,
    errors,
    p95Seconds: histogramQuantile(0.95, buckets),
    qualityScores,
  };
}

/** The primary test of each metric (packages/core/README.md "A/B testing"), in the order shown. */
const PRIMARY: ReadonlyArray<{ metric: string; test: string; label: string; testName: string; effect: string }> = [
  { metric: 'latency', test: 'mann_whitney', label: 'latency', testName: 'Mann-Whitney U', effect: 'rank-biserial' },
  { metric: 'quality_score', test: 'welch_t', label: 'quality', testName: "Welch's t", effect: "Hedges' g" },
  {
    metric: 'error_ratio',
    test: 'two_proportion_z',
    label: 'error ratio',
    testName: 'two-proportion z',
    effect: "Cohen's h",
  },
];

/** What a significant difference of each metric means for the arm (positive: arm minus baseline > 0). */
const READING: Record<string, { positive: string; negative: string }> = {
  latency: { positive: 'is slower', negative: 'is faster' },
  quality_score: { positive: 'is better', negative: 'is worse' },
  error_ratio: { positive: 'fails more often', negative: 'fails less often' },
};

/** A p-value for people: 3 decimals, or scientific below 0.001. */
export function formatP(p: number): string {
  if (p === 0) return '< 1e-300';
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

const signed = (n: number | undefined, digits: number) =>
  n === undefined ? '?' : `${n >= 0 ? '+' : ''}${n.toFixed(digits)}`;

/** The reading of one comparison at significance level `alpha`: "candidate is slower: p = 2.1e-12". */
export function readComparison(c: ComparisonSummary, alpha = 0.05): string {
  const words = READING[c.metric];
  const p = `p = ${formatP(c.pValue)}`;
  if (words === undefined) return p;
  if (!(c.pValue < alpha)) return `no significant difference: ${p}`;
  const sign = c.effectSize ?? c.difference ?? 0;
  return `candidate ${sign >= 0 ? words.positive : words.negative}: ${p}`;
}

const DIFFERENCE: Record<string, (d: number | undefined) => string> = {
  latency: (d) => `median ${signed(d, 3)} s`,
  quality_score: (d) => `mean ${signed(d, 3)}`,
  error_ratio: (d) => `${signed(d === undefined ? undefined : 100 * d, 1)} points`,
};

/** The lines of the section. */
export function formatExperiment(summary: ExperimentSummary | undefined, alpha = 0.05): string[] {
  if (summary === undefined) return ['  no comparison yet (the experiment has no llm_ab_* series)'];
  const lines: string[] = [];
  const variantWidth = Math.max(3, ...summary.arms.map((a) => a.variant.length));
  const modelWidth = Math.max(5, ...summary.arms.map((a) => a.models.join(',').length));
  lines.push(
    `  ${'arm'.padEnd(variantWidth)}  ${'model'.padEnd(modelWidth)}  calls  p95 latency  error ratio  quality scores`,
  );
  for (const a of summary.arms) {
    const p95 = a.p95Seconds === undefined ? '-' : `${a.p95Seconds.toFixed(3)} s`;
    const errorRatio = a.calls > 0 ? `${((100 * a.errors) / a.calls).toFixed(1)}%` : '-';
    const role = a.variant === summary.baseline ? ' (baseline)' : '';
    lines.push(
      `  ${a.variant.padEnd(variantWidth)}  ${a.models.join(',').padEnd(modelWidth)}  ${String(a.calls).padStart(5)}  ${p95.padStart(11)}  ${errorRatio.padStart(11)}  ${String(a.qualityScores).padStart(14)}${role}`,
    );
  }
  for (const arm of summary.arms) {
    if (arm.variant === summary.baseline) continue;
    lines.push(`  ${arm.variant} vs ${summary.baseline} (arm minus baseline; significant below p = ${alpha}):`);
    for (const primary of PRIMARY) {
      const title = `${primary.label.padEnd(11)}  ${primary.testName.padEnd(16)}`;
      const c = summary.comparisons.find(
        (x) => x.variant === arm.variant && x.metric === primary.metric && x.test === primary.test,
      );
      if (c === undefined) {
        lines.push(`    ${title}  not compared yet (too few values on one side)`);
        continue;
      }
      const effect = `${primary.effect} ${signed(c.effectSize, 2)}`;
      const difference = (DIFFERENCE[c.metric] ?? ((d) => signed(d, 3)))(c.difference);
      lines.push(`    ${title}  ${effect.padEnd(19)}  ${difference.padEnd(16)}  ${readComparison(c, alpha)}`);
    }
  }
  return lines;
}
