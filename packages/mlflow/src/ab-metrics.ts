import type { AbComparison, AbMetric, AbReport, AbTest } from '@llm-otel/core';
import type { MlflowMetric, MlflowParam } from './tracking-api.js';

/**
 * How an A/B report becomes MLflow metrics and tags on a variant's run. Per metric, the primary test
 * (Mann-Whitney for latency, Welch's t for quality scores, the two-proportion z-test for the error
 * ratio) gets the short keys `ab.<metric>.p_value`, `.effect_size`, `.difference`, with tags naming
 * the test and the effect size; the other test of a two-sample metric is logged under
 * `ab.<metric>.<test>.p_value` and `.effect_size`. When a variant is an arm of several experiments,
 * `ab.<experiment>.` replaces `ab.` so the keys do not collide.
 */

/** The test whose results get the short keys, per metric. */
export const PRIMARY_TEST: Readonly<Record<AbMetric, AbTest>> = Object.freeze({
  latency: 'mann_whitney',
  quality_score: 'welch_t',
  error_ratio: 'two_proportion_z',
});

/** The tag naming the experiment of an A/B run, and the baseline and role of the variant. */
export const TAG_AB_EXPERIMENT = 'ab.experiment';
export const TAG_AB_BASELINE = 'ab.baseline';
export const TAG_AB_ROLE = 'ab.role';

/** What to log on one variant's run for one report. */
export interface AbRunEntry {
  readonly variant: string;
  readonly metrics: Array<Omit<MlflowMetric, 'timestamp' | 'step'>>;
  readonly tags: MlflowParam[];
}

/** MLflow's metric values must be finite for the JSON API: infinite effect sizes are clamped. */
function finite(value: number): number {
  if (Number.isNaN(value)) return value;
  return Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, value));
}

/**
 * The entries of every arm of `report` (the baseline gets its tags and sample sizes only);
 * `inSeveral(variant)` says whether the variant is an arm of more than one experiment.
 */
export function abRunEntries(report: AbReport, inSeveral: (variant: string) => boolean = () => false): AbRunEntry[] {
  const entries: AbRunEntry[] = [];
  for (const arm of report.arms) {
    const prefix = inSeveral(arm.variant) ? `ab.${report.experiment}.` : 'ab.';
    const baseline = arm.variant === report.baseline;
    const metrics: AbRunEntry['metrics'] = [
      { key: `${prefix}latency.samples`, value: arm.latencySamples },
      { key: `${prefix}quality_score.samples`, value: arm.qualitySamples },
      { key: `${prefix}error_ratio.samples`, value: arm.calls },
    ];
    const tags: MlflowParam[] = [
      { key: TAG_AB_EXPERIMENT, value: report.experiment },
      { key: TAG_AB_BASELINE, value: report.baseline },
      { key: TAG_AB_ROLE, value: baseline ? 'baseline' : 'treatment' },
    ];
    for (const c of report.comparisons) if (c.variant === arm.variant) addComparison(prefix, c, metrics, tags);
    entries.push({ variant: arm.variant, metrics, tags });
  }
  return entries;
}

function addComparison(prefix: string, c: AbComparison, metrics: AbRunEntry['metrics'], tags: MlflowParam[]): void {
  const base = `${prefix}${c.metric}.`;
  if (PRIMARY_TEST[c.metric] === c.test) {
    metrics.push(
      { key: `${base}p_value`, value: c.pValue },
      { key: `${base}effect_size`, value: finite(c.effectSize) },
      { key: `${base}difference`, value: finite(c.difference) },
      { key: `${base}baseline_samples`, value: c.baselineSamples },
    );
    tags.push({ key: `${base}test`, value: c.test }, { key: `${base}effect_size`, value: c.effectSizeKind });
  } else {
    metrics.push(
      { key: `${base}${c.test}.p_value`, value: c.pValue },
      { key: `${base}${c.test}.effect_size`, value: finite(c.effectSize) },
    );
  }
}
