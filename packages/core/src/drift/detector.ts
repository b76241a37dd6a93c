import { LlmOtelConfigError } from '../config-error.js';
import { type KsAlternative, type KsMethod, ksPValue, ksStatisticOf, ksStatisticsSorted } from './ks-test.js';
import { checkDriftOptions, integerIn, mergeDefined, numberWhere, type OptionCheck, oneOf } from './option-checks.js';
import { binShares, PSI_DEFAULT_BINS, PSI_EPSILON, psiEdges, psiFromShares, quantileSorted } from './psi.js';
import { ReferenceSample, RingBuffer } from './window.js';

/** The monitored quantities: call latency (s), response length (output tokens), quality score (0..1). */
export type DriftMetric = 'latency' | 'response_length' | 'quality_score';

/** Every {@link DriftMetric}. */
export const DRIFT_METRICS: readonly DriftMetric[] = ['latency', 'response_length', 'quality_score'];

/**
 * Which change counts as drift: `increase` (the current values are larger than the reference, e.g.
 * slower calls), `decrease` (smaller, e.g. lower quality scores) or `both` (a two-sided test).
 */
export type DriftDirection = 'increase' | 'decrease' | 'both';

/** Every {@link DriftDirection}. */
export const DRIFT_DIRECTIONS: readonly DriftDirection[] = ['increase', 'decrease', 'both'];

/**
 * Default direction per metric: degradation only for latency (slower) and quality (lower), so that
 * an improvement (e.g. latency falling after warm-up or an upgrade) raises no drift; both ways for
 * response length, where neither direction is "better".
 */
export const DEFAULT_DRIFT_DIRECTIONS: Readonly<Record<DriftMetric, DriftDirection>> = Object.freeze({
  latency: 'increase',
  response_length: 'both',
  quality_score: 'decrease',
});

/** The KS alternative of a direction, with the reference as first and the current window as second sample. */
export function ksAlternativeOf(direction: DriftDirection): KsAlternative {
  // Current values larger means the current distribution function lies below the reference one:
  // F_ref - F_cur > 0, SciPy's `greater` for ks_2samp(reference, current).
  return direction === 'increase' ? 'greater' : direction === 'decrease' ? 'less' : 'two-sided';
}

/** How the reference window is formed. */
export type DriftBaselineMode =
  /** The first `referenceSize` observations of each (model, metric) become the reference. */
  | 'first'
  /** No reference until the application calls `freezeBaseline()`, which freezes the current window. */
  | 'manual';

/** Sizes and thresholds of one detector (the monitor applies the same to all). */
export interface DriftDetectorOptions {
  /**
   * Observations skipped, after creation and after `resetBaseline()`, before any is used: the cold
   * start (connection set-up, model loading, caches) is not a fair reference. Default 20.
   */
  warmup: number;
  /** Observations in the reference window. Default 1000 (twice the window: a larger reference makes the repeated comparisons of one stream less dependent on how typical the reference happened to be). */
  referenceSize: number;
  /** Capacity of the sliding current window. Default 500. */
  windowSize: number;
  /** Observations the current window needs before it is compared. Default 100. */
  minSamples: number;
  /** Evaluate every this many observations (not on every one, to keep recording cheap). Default 50. */
  evaluateEvery: number;
  /** KS significance level: drift needs a p-value below it. Default 0.01. */
  alpha: number;
  /**
   * Effect-size gate: drift also needs a PSI of at least this (0.1 is the conventional "moderate
   * shift"); it keeps large windows from flagging tiny, harmless changes. 0 for a pure KS test. Default 0.1.
   */
  minPsi: number;
  /** Reference-quantile bins of the PSI. Default 10. */
  psiBins: number;
  /** Floor of an empty bin's share in the PSI. Default 1e-4. */
  psiEpsilon: number;
  /** A drift episode ends (and the callback re-arms) after this many consecutive evaluations without drift. Default 3. */
  rearmAfter: number;
  /** KS p-value method (see `ks-test.ts`). Default `auto`. */
  ksMethod: KsMethod;
  /** How the reference is formed. Default `first`. */
  baseline: DriftBaselineMode;
  /** Which change is drift. Default: the metric's entry of {@link DEFAULT_DRIFT_DIRECTIONS}. */
  direction?: DriftDirection;
}

export const DEFAULT_DRIFT_DETECTOR_OPTIONS: Readonly<DriftDetectorOptions> = Object.freeze({
  warmup: 20,
  referenceSize: 1000,
  windowSize: 500,
  minSamples: 100,
  evaluateEvery: 50,
  alpha: 0.01,
  minPsi: 0.1,
  psiBins: PSI_DEFAULT_BINS,
  psiEpsilon: PSI_EPSILON,
  rearmAfter: 3,
  ksMethod: 'auto',
  baseline: 'first',
});

/** The checks of each detector option (`undefined` means the default and is not checked). */
export const DRIFT_DETECTOR_CHECKS: Readonly<Record<keyof DriftDetectorOptions, OptionCheck>> = Object.freeze({
  warmup: integerIn(0, 1_000_000),
  referenceSize: integerIn(1, 1_000_000),
  windowSize: integerIn(1, 1_000_000),
  minSamples: integerIn(1, 1_000_000),
  evaluateEvery: integerIn(1, 1_000_000),
  alpha: numberWhere('a number in (0, 1)', (v) => v > 0 && v < 1),
  minPsi: numberWhere('a finite number >= 0', (v) => v >= 0 && Number.isFinite(v)),
  psiBins: integerIn(2, 100),
  psiEpsilon: numberWhere('a number in (0, 0.1)', (v) => v > 0 && v < 0.1),
  rearmAfter: integerIn(1, 1_000_000),
  ksMethod: oneOf(['auto', 'exact', 'asymp']),
  baseline: oneOf(['first', 'manual']),
  direction: oneOf(DRIFT_DIRECTIONS),
});

/**
 * Checks complete detector options: each value, and that `minSamples` fits in the window and in
 * the reference.
 * @throws LlmOtelConfigError naming the first bad option
 */
export function validateDetectorOptions(o: DriftDetectorOptions): void {
  checkDriftOptions(o, DRIFT_DETECTOR_CHECKS);
  if (o.minSamples > o.windowSize)
    throw new LlmOtelConfigError(`drift option minSamples (${o.minSamples}) exceeds windowSize (${o.windowSize})`);
  if (o.minSamples > o.referenceSize)
    throw new LlmOtelConfigError(
      `drift option minSamples (${o.minSamples}) exceeds referenceSize (${o.referenceSize})`,
    );
}

/** The outcome of one comparison of the current window with the reference. */
export interface DriftEvaluation {
  /**
   * Two-sample KS statistic in [0, 1] of the detector's direction: D+ = max(F_ref - F_cur) for
   * `increase`, D- = max(F_cur - F_ref) for `decrease`, D = max |F_ref - F_cur| for `both`.
   */
  readonly ksStatistic: number;
  /** KS p-value of that statistic (one-sided unless the direction is `both`). */
  readonly pValue: number;
  /** The change this detector looks for. */
  readonly direction: DriftDirection;
  /** The p-value method used. */
  readonly ksMethod: 'exact' | 'asymp';
  /** Population Stability Index of the current window against the reference. */
  readonly psi: number;
  readonly referenceMean: number;
  readonly currentMean: number;
  /** currentMean - referenceMean, in the metric's unit (s, tokens, score). */
  readonly meanShift: number;
  readonly referenceP95: number;
  readonly currentP95: number;
  /** currentP95 - referenceP95, in the metric's unit. */
  readonly p95Shift: number;
  readonly referenceSize: number;
  readonly currentSize: number;
  /** This evaluation crossed the thresholds (p-value < alpha and PSI >= minPsi). */
  readonly drifted: boolean;
  /** A drift episode is open after this evaluation (debounced state, exported as `llm_drift_detected`). */
  readonly inDrift: boolean;
  /** This evaluation opened a new episode: the drift callback fires. */
  readonly episodeStarted: boolean;
  /** Observations of this (model, metric) so far, including the reference. */
  readonly observations: number;
  /** Unix time in milliseconds. */
  readonly evaluatedAt: number;
}

/** Where a detector stands. */
export type DriftPhase = 'warming_up' | 'collecting_reference' | 'awaiting_baseline' | 'monitoring';

/**
 * Drift detector for one (model, operation, metric): a reference sample against a sliding window of
 * the most recent observations. The first `warmup` observations are skipped. Every `evaluateEvery`
 * observations (once the window holds `minSamples`) it computes the KS statistic and p-value in the
 * configured direction, the PSI and the shifts of the mean and P95. Drift is flagged when
 * p < alpha and PSI >= minPsi; an episode opens on the first flagged evaluation and closes after
 * `rearmAfter` consecutive unflagged ones, so a persistent drift fires once.
 *
 * Memory is fixed at construction: 8 bytes x (referenceSize + 2 x windowSize) plus the PSI bins.
 * Not thread-safe (nothing in a Node.js process needs it to be).
 */
export class DriftDetector {
  private readonly options: DriftDetectorOptions;
  private readonly alternative: KsAlternative;
  /** The change this detector looks for. */
  readonly direction: DriftDirection;
  private readonly reference: ReferenceSample;
  private readonly window: RingBuffer;
  private readonly scratch: Float64Array;
  private edges: Float64Array = new Float64Array(0);
  private referenceShares: Float64Array = new Float64Array(1);
  private readonly currentShares: Float64Array;
  private referenceMean = Number.NaN;
  private referenceP95 = Number.NaN;
  private sinceEvaluation = 0;
  private total = 0;
  private warmupLeft: number;
  private evaluatedOnce = false;
  private open = false;
  private clearStreak = 0;
  private latest: DriftEvaluation | undefined;

  /**
   * @param metric what the values are (it sets the default direction)
   * @param model `gen_ai.request.model` of the values
   * @param options sizes and thresholds; omitted or `undefined` ones take the defaults
   * @param operation `gen_ai.operation.name` of the values, when known
   * @throws LlmOtelConfigError when an option is invalid
   */
  constructor(
    readonly metric: DriftMetric,
    readonly model: string,
    options: Partial<DriftDetectorOptions> = {},
    readonly operation?: string,
  ) {
    checkDriftOptions(options, DRIFT_DETECTOR_CHECKS);
    this.options = mergeDefined<DriftDetectorOptions>(DEFAULT_DRIFT_DETECTOR_OPTIONS, options);
    validateDetectorOptions(this.options);
    this.direction = this.options.direction ?? DEFAULT_DRIFT_DIRECTIONS[metric];
    this.alternative = ksAlternativeOf(this.direction);
    this.warmupLeft = this.options.warmup;
    this.reference = new ReferenceSample(this.options.referenceSize);
    this.window = new RingBuffer(this.options.windowSize);
    this.scratch = new Float64Array(this.options.windowSize);
    this.currentShares = new Float64Array(this.options.psiBins);
  }

  get phase(): DriftPhase {
    if (this.reference.isFrozen) return 'monitoring';
    if (this.warmupLeft > 0) return 'warming_up';
    return this.options.baseline === 'first' ? 'collecting_reference' : 'awaiting_baseline';
  }

  /** Observations seen (reference included). */
  get observations(): number {
    return this.total;
  }

  /** Values in the reference and in the current window. */
  get sizes(): { reference: number; window: number } {
    return { reference: this.reference.size, window: this.window.size };
  }

  /** Whether a drift episode is open. */
  get inDrift(): boolean {
    return this.open;
  }

  /** The latest evaluation, if any since the reference was set (undefined after a reset or a freeze). */
  get last(): DriftEvaluation | undefined {
    return this.latest;
  }

  /** Whether this detector ever evaluated (its gauge series exist), resets included. */
  get hasEvaluated(): boolean {
    return this.evaluatedOnce;
  }

  /** Bytes held by the sample buffers (constant for the detector's life). */
  get byteLength(): number {
    return (
      this.reference.byteLength +
      this.window.byteLength +
      this.scratch.byteLength +
      this.currentShares.byteLength +
      8 * this.options.psiBins * 2
    );
  }

  /**
   * Adds one value (finite; the caller validates). Returns the evaluation when this observation
   * triggered one, else undefined.
   */
  observe(value: number): DriftEvaluation | undefined {
    this.total++;
    if (this.warmupLeft > 0) {
      this.warmupLeft--;
      return undefined;
    }
    if (!this.reference.isFrozen && this.options.baseline === 'first') {
      if (this.reference.add(value)) this.onReferenceFrozen();
      return undefined;
    }
    this.window.push(value);
    if (!this.reference.isFrozen) return undefined;
    if (++this.sinceEvaluation < this.options.evaluateEvery || this.window.size < this.options.minSamples)
      return undefined;
    return this.evaluate();
  }

  /** Compares the current window with the reference now; undefined when either is not ready. */
  evaluate(): DriftEvaluation | undefined {
    if (!this.reference.isFrozen || this.window.size < this.options.minSamples) return undefined;
    this.sinceEvaluation = 0;
    const o = this.options;
    const ref = this.reference.sorted();
    const cur = this.window.sortedInto(this.scratch);
    const statistic = ksStatisticOf(ksStatisticsSorted(ref, cur), this.alternative);
    const ks = ksPValue(statistic, ref.length, cur.length, o.ksMethod, this.alternative);
    const psi = psiFromShares(this.referenceShares, binShares(cur, this.edges, this.currentShares), o.psiEpsilon);
    const currentMean = mean(cur);
    const currentP95 = quantileSorted(cur, 0.95);
    const drifted = ks.pValue < o.alpha && psi >= o.minPsi;
    let episodeStarted = false;
    if (drifted) {
      this.clearStreak = 0;
      if (!this.open) {
        this.open = true;
        episodeStarted = true;
      }
    } else if (this.open && ++this.clearStreak >= o.rearmAfter) {
      this.open = false;
      this.clearStreak = 0;
    }
    this.evaluatedOnce = true;
    this.latest = {
      ksStatistic: ks.statistic,
      pValue: ks.pValue,
      direction: this.direction,
      ksMethod: ks.method,
      psi,
      referenceMean: this.referenceMean,
      currentMean,
      meanShift: currentMean - this.referenceMean,
      referenceP95: this.referenceP95,
      currentP95,
      p95Shift: currentP95 - this.referenceP95,
      referenceSize: ref.length,
      currentSize: cur.length,
      drifted,
      inDrift: this.open,
      episodeStarted,
      observations: this.total,
      evaluatedAt: Date.now(),
    };
    return this.latest;
  }

  /**
   * Makes the recent data the baseline: while the first reference is still being collected, it is
   * frozen as it is; otherwise the current window becomes the reference (e.g. after a retrained
   * model was accepted as the new normal). Needs at least `minSamples` values; returns whether it
   * froze. Closes any open episode and starts a fresh current window.
   */
  freezeBaseline(): boolean {
    if (!this.reference.isFrozen && this.options.baseline === 'first') {
      if (this.reference.size < this.options.minSamples) return false;
      this.reference.freeze();
    } else {
      if (this.window.size < this.options.minSamples) return false;
      this.reference.replaceWith(this.window.copyInto(this.scratch));
    }
    this.onReferenceFrozen();
    return true;
  }

  /**
   * Forgets the reference and the window: a new reference is formed as after construction, after
   * a new warm-up (a new model version starts cold too). Closes any open episode.
   */
  resetBaseline(): void {
    this.reference.reset();
    this.window.clear();
    this.warmupLeft = this.options.warmup;
    this.restart();
  }

  private onReferenceFrozen(): void {
    const ref = this.reference.sorted();
    this.edges = psiEdges(ref, this.options.psiBins);
    this.referenceShares = binShares(ref, this.edges, new Float64Array(this.edges.length + 1));
    this.referenceMean = mean(ref);
    this.referenceP95 = quantileSorted(ref, 0.95);
    this.window.clear();
    this.restart();
  }

  private restart(): void {
    this.sinceEvaluation = 0;
    this.open = false;
    this.clearStreak = 0;
    this.latest = undefined;
  }
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}
