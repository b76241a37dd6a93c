import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { ATTR_LLM_AB_METRIC, ATTR_LLM_AB_TEST, ATTR_LLM_EXPERIMENT, ATTR_LLM_VARIANT } from '../attributes.js';
import type { ObservableGaugeKey } from '../instrument-set.js';
import { checkOptions, integerIn } from '../option-checks.js';
import type { Variant } from '../variant.js';
import type { ExperimentSink } from '../variant-sink.js';
import type { Experiment } from './experiment.js';
import { mannWhitneyU } from './mann-whitney.js';
import { Reservoir } from './reservoir.js';
import { twoProportionZTest } from './two-proportion-test.js';
import { welchTTest } from './welch-t-test.js';

/** What an arm is compared on: latency of successful calls, quality scores, and the error ratio of all calls. */
export type AbMetric = 'latency' | 'quality_score' | 'error_ratio';
/** The test of a comparison (the `llm.ab.test` label). */
export type AbTest = 'welch_t' | 'mann_whitney' | 'two_proportion_z';
/** The effect size a test reports: Hedges' g (Welch), rank-biserial correlation (Mann-Whitney), Cohen's h (proportions). */
export type AbEffectSize = 'hedges_g' | 'rank_biserial' | 'cohens_h';

/** One arm compared with the baseline on one metric with one test. Signs: the arm minus the baseline. */
export interface AbComparison {
  readonly experiment: string;
  readonly variant: string;
  readonly baseline: string;
  readonly metric: AbMetric;
  readonly test: AbTest;
  /** Values of the arm in the comparison (sampled latencies or scores; calls for the error ratio). */
  readonly samples: number;
  readonly baselineSamples: number;
  /** t, U of the arm, or z. */
  readonly statistic: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  readonly effectSize: number;
  readonly effectSizeKind: AbEffectSize;
  /**
   * The arm minus the baseline in the metric's unit: difference of means (Welch), of medians
   * (Mann-Whitney), of error ratios (proportions). Positive latency or error ratio: the arm is worse;
   * positive quality: better.
   */
  readonly difference: number;
}

/** The sample sizes of one arm. */
export interface AbArmSamples {
  readonly variant: string;
  readonly calls: number;
  readonly errors: number;
  /** Latencies of successful calls in the sample (at most `maxSamples`). */
  readonly latencySamples: number;
  /** Quality scores in the sample (at most `maxSamples`). */
  readonly qualitySamples: number;
}

/** The latest comparison of an experiment's arms with its baseline. */
export interface AbReport {
  readonly experiment: string;
  readonly baseline: string;
  /** When it was computed (ms since the epoch). */
  readonly computedAtMs: number;
  readonly arms: readonly AbArmSamples[];
  /** Comparisons of every arm but the baseline; one with fewer than `minSamples` on either side is left out. */
  readonly comparisons: readonly AbComparison[];
}

/** Options of the A/B comparator. */
export interface AbComparatorOptions {
  /** Latencies and quality scores kept per arm (a uniform sample of all). Default 2000. */
  maxSamples: number;
  /** Values needed on both sides before a metric is compared (calls for the error ratio). Default 30. */
  minSamples: number;
  /**
   * The comparisons are computed at most this often when the gauges are collected (a new
   * collection within it reports the previous results); `compare()` computes at once. Default 10000 ms.
   */
  minIntervalMs: number;
}

export const DEFAULT_AB_COMPARATOR_OPTIONS: Readonly<AbComparatorOptions> = Object.freeze({
  maxSamples: 2000,
  minSamples: 30,
  minIntervalMs: 10_000,
});

const OPTION_CHECKS = {
  maxSamples: integerIn(10, 100_000),
  minSamples: integerIn(2, 100_000),
  minIntervalMs: integerIn(0, 86_400_000),
};

/** The gauges of the comparator, in the catalogue. */
export const AB_GAUGE_KEYS = ['abPValue', 'abEffectSize', 'abDifference', 'abSamples'] as const;
export type AbGaugeKey = (typeof AB_GAUGE_KEYS)[number];

class ArmState {
  calls = 0;
  errors = 0;
  readonly latency: Reservoir;
  readonly quality: Reservoir;

  constructor(
    readonly variant: Variant,
    maxSamples: number,
    random: () => number,
  ) {
    this.latency = new Reservoir(maxSamples, random);
    this.quality = new Reservoir(maxSamples, random);
  }
}

interface ExperimentState {
  readonly experiment: Experiment;
  readonly arms: Map<Variant, ArmState>;
}

/**
 * Compares the arms of each experiment with its baseline, off the request path: the request path
 * only counts calls and errors and offers latencies and scores to fixed-size uniform samples (O(1),
 * no allocation); the tests run when the `llm_ab_*` gauges are collected (at most every
 * `minIntervalMs`) or when {@link compare} is called. Latency (successful calls): Mann-Whitney U and
 * Welch's t; quality scores: Welch's t and Mann-Whitney U; error ratio (all calls): the
 * two-proportion z-test. Memory: arms x 2 x `maxSamples` numbers.
 */
export class AbComparator implements ExperimentSink {
  private options: AbComparatorOptions = DEFAULT_AB_COMPARATOR_OPTIONS;
  private readonly experiments = new Map<string, ExperimentState>();
  /** Every experiment's state of a variant (a variant may be an arm of several experiments). */
  private readonly byVariant = new Map<Variant, ArmState[]>();
  private reports: AbReport[] = [];
  private computedAtMs = Number.NEGATIVE_INFINITY;
  /** Bumped by every update: results are recomputed only when something changed. */
  private version = 0;
  private computedVersion = -1;

  constructor(
    options: Partial<AbComparatorOptions> = {},
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {
    this.configure(options);
  }

  /**
   * Changes the options; keys left out keep their value, `undefined` goes back to the default. A new
   * `maxSamples` applies to experiments added afterwards.
   *
   * @throws LlmOtelConfigError when an option is unknown or invalid.
   */
  configure(options: Partial<AbComparatorOptions>): void {
    checkOptions(options, OPTION_CHECKS, 'A/B comparator options');
    const next = { ...this.options };
    for (const [key, value] of Object.entries(options) as Array<[keyof AbComparatorOptions, number | undefined]>)
      next[key] = value ?? DEFAULT_AB_COMPARATOR_OPTIONS[key];
    this.options = next;
    this.computedVersion = -1;
  }

  getOptions(): Readonly<AbComparatorOptions> {
    return this.options;
  }

  /** Starts comparing the arms of `experiment` (idempotent). */
  addExperiment(experiment: Experiment): void {
    if (this.experiments.has(experiment.name)) return;
    const arms = new Map<Variant, ArmState>();
    for (const { variant } of experiment.arms) {
      const arm = new ArmState(variant, this.options.maxSamples, this.random);
      arms.set(variant, arm);
      const list = this.byVariant.get(variant);
      if (list === undefined) this.byVariant.set(variant, [arm]);
      else list.push(arm);
    }
    this.experiments.set(experiment.name, { experiment, arms });
    this.version++;
  }

  /** Forgets every experiment and sample (tests). */
  clear(): void {
    this.experiments.clear();
    this.byVariant.clear();
    this.reports = [];
    this.computedAtMs = Number.NEGATIVE_INFINITY;
    this.version++;
  }

  // ExperimentSink: on the request path.
  isArm(variant: Variant): boolean {
    return this.byVariant.has(variant);
  }

  call(variant: Variant, durationSeconds: number, failed: boolean): void {
    const arms = this.byVariant.get(variant);
    if (arms === undefined) return;
    for (const arm of arms) {
      arm.calls++;
      if (failed) arm.errors++;
      else arm.latency.add(durationSeconds);
    }
    this.version++;
  }

  qualityScore(variant: Variant, score: number): void {
    const arms = this.byVariant.get(variant);
    if (arms === undefined) return;
    for (const arm of arms) arm.quality.add(score);
    this.version++;
  }

  /** Computes every experiment's comparisons now and returns them. */
  compare(): AbReport[] {
    const now = this.now();
    const reports: AbReport[] = [];
    for (const state of this.experiments.values()) reports.push(this.report(state, now));
    this.reports = reports;
    this.computedAtMs = now;
    this.computedVersion = this.version;
    return reports;
  }

  /** The latest reports, recomputed first when something changed and `minIntervalMs` has passed. */
  latest(): AbReport[] {
    if (this.version !== this.computedVersion && this.now() - this.computedAtMs >= this.options.minIntervalMs)
      return this.compare();
    return this.reports;
  }

  /** Observes one of the `llm_ab_*` gauges (see {@link AB_GAUGE_KEYS}). */
  observeGauge(key: ObservableGaugeKey, result: ObservableResult<Attributes>): void {
    for (const report of this.latest()) {
      if (key === 'abSamples') {
        for (const arm of report.arms) {
          const base = { [ATTR_LLM_EXPERIMENT]: report.experiment, [ATTR_LLM_VARIANT]: arm.variant };
          result.observe(arm.latencySamples, { ...base, [ATTR_LLM_AB_METRIC]: 'latency' });
          result.observe(arm.qualitySamples, { ...base, [ATTR_LLM_AB_METRIC]: 'quality_score' });
          result.observe(arm.calls, { ...base, [ATTR_LLM_AB_METRIC]: 'error_ratio' });
        }
        continue;
      }
      for (const c of report.comparisons) {
        const value = key === 'abPValue' ? c.pValue : key === 'abEffectSize' ? c.effectSize : c.difference;
        result.observe(value, {
          [ATTR_LLM_EXPERIMENT]: c.experiment,
          [ATTR_LLM_VARIANT]: c.variant,
          [ATTR_LLM_AB_METRIC]: c.metric,
          [ATTR_LLM_AB_TEST]: c.test,
        });
      }
    }
  }

  private report(state: ExperimentState, now: number): AbReport {
    const { experiment } = state;
    const min = this.options.minSamples;
    const base = state.arms.get(experiment.baseline) as ArmState;
    const baseLatency = base.latency.snapshot();
    const baseQuality = base.quality.snapshot();
    const comparisons: AbComparison[] = [];
    const arms: AbArmSamples[] = [];
    for (const arm of state.arms.values()) {
      arms.push({
        variant: arm.variant.name,
        calls: arm.calls,
        errors: arm.errors,
        latencySamples: arm.latency.size,
        qualitySamples: arm.quality.size,
      });
      if (arm === base) continue;
      const common = { experiment: experiment.name, variant: arm.variant.name, baseline: base.variant.name };
      const latency = arm.latency.snapshot();
      if (latency.length >= min && baseLatency.length >= min)
        comparisons.push(...this.twoSample(common, 'latency', latency, baseLatency));
      const quality = arm.quality.snapshot();
      if (quality.length >= min && baseQuality.length >= min)
        comparisons.push(...this.twoSample(common, 'quality_score', quality, baseQuality));
      if (arm.calls >= min && base.calls >= min) {
        const r = twoProportionZTest(arm.errors, arm.calls, base.errors, base.calls);
        comparisons.push({
          ...common,
          metric: 'error_ratio',
          test: 'two_proportion_z',
          samples: arm.calls,
          baselineSamples: base.calls,
          statistic: r.statistic,
          pValue: r.pValue,
          effectSize: r.cohensH,
          effectSizeKind: 'cohens_h',
          difference: r.difference,
        });
      }
    }
    return { experiment: experiment.name, baseline: base.variant.name, computedAtMs: now, arms, comparisons };
  }

  private twoSample(
    common: { experiment: string; variant: string; baseline: string },
    metric: AbMetric,
    a: Float64Array,
    b: Float64Array,
  ): AbComparison[] {
    const sizes = { samples: a.length, baselineSamples: b.length };
    const mw = mannWhitneyU(a, b);
    const welch = welchTTest(a, b);
    return [
      {
        ...common,
        ...sizes,
        metric,
        test: 'mann_whitney',
        statistic: mw.statistic,
        pValue: mw.pValue,
        effectSize: mw.rankBiserial,
        effectSizeKind: 'rank_biserial',
        difference: mw.medianDifference,
      },
      {
        ...common,
        ...sizes,
        metric,
        test: 'welch_t',
        statistic: welch.statistic,
        pValue: welch.pValue,
        effectSize: welch.hedgesG,
        effectSizeKind: 'hedges_g',
        difference: welch.difference,
      },
    ];
  }
}
