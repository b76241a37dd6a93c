import { type KsMethod, ksPValue, ksStatisticSorted } from './ks-test.js';
import { binShares, PSI_DEFAULT_BINS, PSI_EPSILON, psiEdges, psiFromShares, quantileSorted } from './psi.js';
import { ReferenceSample, RingBuffer } from './window.js';

/** The monitored quantities: call latency (s), response length (output tokens), quality score (0..1). */
export type DriftMetric = 'latency' | 'response_length' | 'quality_score';

/** Every {@link DriftMetric}. */
export const DRIFT_METRICS: readonly DriftMetric[] = ['latency', 'response_length', 'quality_score'];

/** How the reference window is formed. */
export type DriftBaselineMode =
  /** The first `referenceSize` observations of each (model, metric) become the reference. */
  | 'first'
  /** No reference until the application calls `freezeBaseline()`, which freezes the current window. */
  | 'manual';

/** Sizes and thresholds of one detector (the monitor applies the same to all). */
export interface DriftDetectorOptions {
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
}

export const DEFAULT_DRIFT_DETECTOR_OPTIONS: Readonly<DriftDetectorOptions> = Object.freeze({
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

/** Checks options; throws a RangeError naming the first bad one. */
export function validateDetectorOptions(o: DriftDetectorOptions): void {
  const positiveInt = (name: keyof DriftDetectorOptions, max = 1_000_000): void => {
    const v = o[name];
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max))
      throw new RangeError(`drift option ${name} must be an integer in [1, ${max}], got ${String(v)}`);
  };
  positiveInt('referenceSize');
  positiveInt('windowSize');
  positiveInt('minSamples');
  positiveInt('evaluateEvery');
  positiveInt('rearmAfter');
  if (!(o.psiBins >= 2 && o.psiBins <= 100 && Number.isInteger(o.psiBins)))
    throw new RangeError(`drift option psiBins must be an integer in [2, 100], got ${String(o.psiBins)}`);
  if (o.minSamples > o.windowSize)
    throw new RangeError(`drift option minSamples (${o.minSamples}) exceeds windowSize (${o.windowSize})`);
  if (o.minSamples > o.referenceSize)
    throw new RangeError(`drift option minSamples (${o.minSamples}) exceeds referenceSize (${o.referenceSize})`);
  if (!(o.alpha > 0 && o.alpha < 1))
    throw new RangeError(`drift option alpha must be in (0, 1), got ${String(o.alpha)}`);
  if (!(o.minPsi >= 0 && Number.isFinite(o.minPsi)))
    throw new RangeError(`drift option minPsi must be a finite number >= 0, got ${String(o.minPsi)}`);
  if (!(o.psiEpsilon > 0 && o.psiEpsilon < 0.1))
    throw new RangeError(`drift option psiEpsilon must be in (0, 0.1), got ${String(o.psiEpsilon)}`);
  if (!['auto', 'exact', 'asymp'].includes(o.ksMethod))
    throw new RangeError(`drift option ksMethod must be auto, exact or asymp, got ${String(o.ksMethod)}`);
  if (!['first', 'manual'].includes(o.baseline))
    throw new RangeError(`drift option baseline must be first or manual, got ${String(o.baseline)}`);
}

/** The outcome of one comparison of the current window with the reference. */
export interface DriftEvaluation {
  /** Two-sample KS statistic D in [0, 1]. */
  readonly ksStatistic: number;
  /** Two-sided KS p-value. */
  readonly pValue: number;
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
export type DriftPhase = 'collecting_reference' | 'awaiting_baseline' | 'monitoring';

/**
 * Drift detector for one (model, metric): a reference sample against a sliding window of the most
 * recent observations. Every `evaluateEvery` observations (once the window holds `minSamples`) it
 * computes the KS statistic and p-value, the PSI and the shifts of the mean and P95. Drift is
 * flagged when p < alpha and PSI >= minPsi; an episode opens on the first flagged evaluation and
 * closes after `rearmAfter` consecutive unflagged ones, so a persistent drift fires once.
 *
 * Memory is fixed at construction: 8 bytes x (referenceSize + 2 x windowSize) plus the PSI bins.
 * Not thread-safe (nothing in a Node.js process needs it to be).
 */
export class DriftDetector {
  private readonly options: DriftDetectorOptions;
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
  private open = false;
  private clearStreak = 0;
  private latest: DriftEvaluation | undefined;

  constructor(
    readonly metric: DriftMetric,
    readonly model: string,
    options: Partial<DriftDetectorOptions> = {},
  ) {
    this.options = { ...DEFAULT_DRIFT_DETECTOR_OPTIONS, ...options };
    validateDetectorOptions(this.options);
    this.reference = new ReferenceSample(this.options.referenceSize);
    this.window = new RingBuffer(this.options.windowSize);
    this.scratch = new Float64Array(this.options.windowSize);
    this.currentShares = new Float64Array(this.options.psiBins);
  }

  get phase(): DriftPhase {
    if (this.reference.isFrozen) return 'monitoring';
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

  /** The latest evaluation, if any since the reference was set. */
  get last(): DriftEvaluation | undefined {
    return this.latest;
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
    const ks = ksPValue(ksStatisticSorted(ref, cur), ref.length, cur.length, o.ksMethod);
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
    this.latest = {
      ksStatistic: ks.statistic,
      pValue: ks.pValue,
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

  /** Forgets the reference and the window: a new reference is formed as after construction. */
  resetBaseline(): void {
    this.reference.reset();
    this.window.clear();
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
