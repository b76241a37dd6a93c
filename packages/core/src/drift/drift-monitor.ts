import type { Attributes, Counter, ObservableResult } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_LLM_DRIFT_METRIC,
  ATTR_LLM_OTEL_ATTRIBUTE,
  ATTR_LLM_OTEL_REASON,
  OVERFLOW_VALUE,
} from '../attributes.js';
import type { ObservableGaugeKey } from '../instrument-set.js';
import { AttributeValueLimiter, DEFAULT_ATTRIBUTE_LIMITS } from '../limits.js';
import { warnOnce } from '../report-once.js';
import {
  DEFAULT_DRIFT_DETECTOR_OPTIONS,
  DRIFT_METRICS,
  DriftDetector,
  type DriftDetectorOptions,
  type DriftEvaluation,
  type DriftMetric,
  type DriftPhase,
  validateDetectorOptions,
} from './detector.js';

/** Options of the drift monitor: the detector options plus the bounds of the monitor. */
export interface DriftMonitorOptions extends DriftDetectorOptions {
  /**
   * Models tracked (each with up to one detector per metric). Observations of further models are
   * dropped and counted in `llm_otel_attribute_overflow_total{llm_otel_attribute="llm.drift.model"}`.
   * Default 20.
   */
  maxModels: number;
  /** Metrics monitored; observations of others are ignored. Default all three. */
  metrics: readonly DriftMetric[];
}

export const DEFAULT_DRIFT_MONITOR_OPTIONS: Readonly<DriftMonitorOptions> = Object.freeze({
  ...DEFAULT_DRIFT_DETECTOR_OPTIONS,
  maxModels: 20,
  metrics: DRIFT_METRICS,
});

/** What the drift callback receives: the evaluation that opened a drift episode. */
export interface DriftEvent extends DriftEvaluation {
  readonly metric: DriftMetric;
  /** `gen_ai.request.model` of the observations. */
  readonly model: string;
}

/** A drift hook, e.g. the trigger of a retraining pipeline. May be async; errors are caught and counted. */
export type DriftCallback = (event: DriftEvent) => void | Promise<void>;

/** State of one detector, for diagnostics and tests. */
export interface DriftStatus {
  readonly metric: DriftMetric;
  readonly model: string;
  readonly phase: DriftPhase;
  readonly observations: number;
  /** Values in the reference (collected so far, or frozen). */
  readonly referenceCount: number;
  /** Values in the current window. */
  readonly windowCount: number;
  readonly inDrift: boolean;
  readonly byteLength: number;
  readonly last: DriftEvaluation | undefined;
}

/** The label used in `llm_otel_attribute_overflow_total` for models beyond `maxModels`. */
export const DRIFT_MODEL_LIMIT_ATTRIBUTE = 'llm.drift.model';

const COMPONENT = 'drift';

/**
 * What the monitor needs from the recording API, handed to it at construction (the shared monitor
 * gets the process-wide `LlmMetrics`). Passing it in, instead of importing the recording API, keeps
 * the module graph acyclic: the recording API feeds the monitor, the monitor never reaches back.
 */
export interface DriftHost {
  /** The instruments of the current MeterProvider (calling it binds the `llm_drift_*` gauges). */
  instruments(): { readonly attributeOverflow: Counter };
  /** Counts and logs once an error caught inside the monitor. */
  reportInternalError(component: string, error: unknown): void;
  /** The longest model name (and operation) accepted. */
  getOptions(): { readonly maxValueLength: number };
}

/** The host of a standalone `new DriftMonitor()`: no instruments, errors logged once. */
const DETACHED_HOST: DriftHost = {
  instruments: () => ({ attributeOverflow: { add: () => {} } }),
  reportInternalError: (component, error) =>
    warnOnce(`internal:${component}`, `internal error in ${component}: ${String(error)}`),
  getOptions: () => DEFAULT_ATTRIBUTE_LIMITS,
};

/** The `llm_drift_*` gauges a monitor reports to (keys of the catalogue). */
export const DRIFT_GAUGE_KEYS = ['driftKsStatistic', 'driftPsi', 'driftPValue', 'driftDetected'] as const;
type DriftGaugeKey = (typeof DRIFT_GAUGE_KEYS)[number];

/**
 * Streaming drift detection per model for latency, response length and quality score, with one
 * {@link DriftDetector} per (model, metric). Obtain the process-wide instance, whose results are
 * exported as the `llm_drift_*` gauges, with {@link getDriftMonitor}.
 *
 * `observe()` never throws and costs a map lookup and a ring-buffer write, plus one evaluation every
 * `evaluateEvery` observations (a sort of the window, the KS test, the PSI). Drift callbacks run
 * after the observing call returned (in a microtask), never inside it.
 */
export class DriftMonitor {
  private options: DriftMonitorOptions;
  private readonly detectors = new Map<DriftMetric, Map<string, DriftDetector>>();
  private readonly callbacks = new Set<DriftCallback>();
  private models: AttributeValueLimiter;
  private dropped = 0;

  /**
   * @param options monitor options (defaults for what is omitted)
   * @param host where overflow and internal errors are counted; a standalone monitor (the default)
   *   counts nothing and exports no gauges: the exported one is {@link getDriftMonitor}'s.
   */
  constructor(
    options: Partial<DriftMonitorOptions> = {},
    private readonly host: DriftHost = DETACHED_HOST,
  ) {
    this.options = DriftMonitor.resolve({ ...DEFAULT_DRIFT_MONITOR_OPTIONS, ...options });
    this.models = this.createModelLimiter();
  }

  /** Current options. */
  getOptions(): Readonly<DriftMonitorOptions> {
    return this.options;
  }

  /**
   * Changes options. Detectors are sized at creation, so a change discards every detector and its
   * state (references, windows, open episodes): configure before observing. Passing the current
   * options again changes nothing. Callbacks stay.
   * @throws RangeError when an option is invalid (nothing is changed then).
   */
  configure(options: Partial<DriftMonitorOptions>): void {
    const next = DriftMonitor.resolve({ ...this.options, ...options });
    if (JSON.stringify(next) === JSON.stringify(this.options)) return;
    this.options = next;
    this.clear();
  }

  /** Drops every detector and the set of tracked models (callbacks and options stay). */
  clear(): void {
    this.detectors.clear();
    this.models = this.createModelLimiter();
    this.dropped = 0;
  }

  /**
   * Records one observation of `metric` for `model`: a latency in seconds, a response length in
   * output tokens or a quality score in [0, 1]. Invalid values, metrics not in `metrics`, empty
   * model names and `_OTHER` are ignored (invalid values are logged once).
   */
  observe(metric: DriftMetric, model: string, value: number): void {
    try {
      if (!this.options.metrics.includes(metric)) return; // unknown, or not monitored
      if (!isValidValue(metric, value)) {
        warnOnce(`drift:invalid:${metric}`, `drift monitor ignored ${metric} value ${String(value)}`);
        return;
      }
      let byModel = this.detectors.get(metric);
      let detector = byModel?.get(model);
      if (detector === undefined) {
        if (typeof model !== 'string' || model.length === 0 || model === OVERFLOW_VALUE) return;
        if (this.models.admit(ATTR_GEN_AI_REQUEST_MODEL, model) === OVERFLOW_VALUE) {
          this.dropped++;
          return;
        }
        detector = new DriftDetector(metric, model, this.options);
        if (byModel === undefined) {
          byModel = new Map();
          this.detectors.set(metric, byModel);
        }
        byModel.set(model, detector);
      }
      const evaluation = detector.observe(value);
      if (evaluation === undefined) return;
      // Binds the instruments (and so the llm_drift_* gauges) to the current global MeterProvider,
      // for applications that feed the monitor without recording anything else.
      this.host.instruments();
      if (evaluation.episodeStarted) this.emit(metric, model, evaluation);
    } catch (error) {
      this.host.reportInternalError(COMPONENT, error);
    }
  }

  /**
   * Freezes a baseline now for the matching detectors (all when `model` and `metric` are omitted):
   * a reference still being collected is frozen as it is, otherwise the current window becomes the
   * reference. Detectors with fewer than `minSamples` values are skipped.
   * @returns the number of detectors that froze a baseline
   */
  freezeBaseline(model?: string, metric?: DriftMetric): number {
    let frozen = 0;
    for (const d of this.select(model, metric)) if (d.freezeBaseline()) frozen++;
    return frozen;
  }

  /**
   * Discards the baseline of the matching detectors (all when omitted): with `baseline: 'first'`
   * the next `referenceSize` observations form a new one, e.g. after deploying a new model version.
   * @returns the number of detectors reset
   */
  resetBaseline(model?: string, metric?: DriftMetric): number {
    let count = 0;
    for (const d of this.select(model, metric)) {
      d.resetBaseline();
      count++;
    }
    return count;
  }

  /**
   * Evaluates the matching detectors now instead of waiting for the next `evaluateEvery`
   * observations; fires the callbacks for newly opened episodes.
   * @returns the evaluations that ran
   */
  evaluate(model?: string, metric?: DriftMetric): DriftEvent[] {
    const out: DriftEvent[] = [];
    this.host.instruments();
    for (const d of this.select(model, metric)) {
      const evaluation = d.evaluate();
      if (evaluation === undefined) continue;
      const event = { ...evaluation, metric: d.metric, model: d.model };
      out.push(event);
      if (evaluation.episodeStarted) this.dispatch(event);
    }
    return out;
  }

  /**
   * Registers a drift hook, called once when a drift episode opens for a (model, metric), i.e. the
   * spec's automated retraining trigger. It runs in a microtask after the observation that detected
   * the drift; a thrown error or rejected promise is caught and counted in
   * `llm_otel_internal_errors_total{llm_otel_component="drift.onDrift"}`.
   * @returns a function that unregisters the hook
   */
  onDrift(callback: DriftCallback): () => void {
    if (typeof callback !== 'function') throw new TypeError('onDrift() needs a function');
    // Wrap so that registering the same function twice gives two independent registrations.
    const entry: DriftCallback = (event) => callback(event);
    this.callbacks.add(entry);
    return () => {
      this.callbacks.delete(entry);
    };
  }

  /** State of the matching detectors (all when omitted). */
  getStatus(model?: string, metric?: DriftMetric): DriftStatus[] {
    return [...this.select(model, metric)].map((d) => ({
      metric: d.metric,
      model: d.model,
      phase: d.phase,
      observations: d.observations,
      referenceCount: d.sizes.reference,
      windowCount: d.sizes.window,
      inDrift: d.inDrift,
      byteLength: d.byteLength,
      last: d.last,
    }));
  }

  /** Detectors held and observations dropped because of `maxModels`. */
  getStats(): { detectors: number; models: number; droppedObservations: number } {
    let detectors = 0;
    for (const byModel of this.detectors.values()) detectors += byModel.size;
    return {
      detectors,
      models: this.models.distinctCount(ATTR_GEN_AI_REQUEST_MODEL),
      droppedObservations: this.dropped,
    };
  }

  /** Reports the latest evaluation of every detector to one of the `llm_drift_*` gauges. */
  observeGauge(key: ObservableGaugeKey, result: ObservableResult<Attributes>): void {
    for (const byModel of this.detectors.values()) {
      for (const d of byModel.values()) {
        const last = d.last;
        if (last === undefined) continue;
        const attrs = { [ATTR_LLM_DRIFT_METRIC]: d.metric, [ATTR_GEN_AI_REQUEST_MODEL]: d.model };
        switch (key as DriftGaugeKey) {
          case 'driftKsStatistic':
            result.observe(last.ksStatistic, attrs);
            break;
          case 'driftPsi':
            result.observe(last.psi, attrs);
            break;
          case 'driftPValue':
            result.observe(last.pValue, attrs);
            break;
          case 'driftDetected':
            result.observe(d.inDrift ? 1 : 0, attrs);
            break;
        }
      }
    }
  }

  private *select(model?: string, metric?: DriftMetric): Iterable<DriftDetector> {
    for (const [m, byModel] of this.detectors) {
      if (metric !== undefined && m !== metric) continue;
      if (model === undefined) yield* byModel.values();
      else {
        const d = byModel.get(model);
        if (d !== undefined) yield d;
      }
    }
  }

  private emit(metric: DriftMetric, model: string, evaluation: DriftEvaluation): void {
    this.dispatch({ ...evaluation, metric, model });
  }

  private dispatch(event: DriftEvent): void {
    for (const callback of this.callbacks) {
      Promise.resolve()
        .then(() => callback(event))
        .catch((error: unknown) => this.host.reportInternalError('drift.onDrift', error));
    }
  }

  private createModelLimiter(): AttributeValueLimiter {
    const { maxModels } = this.options;
    const maxValueLength = this.host.getOptions().maxValueLength;
    return new AttributeValueLimiter({ maxValueLength, maxDistinctValues: maxModels }, (_key, reason) => {
      try {
        this.host.instruments().attributeOverflow.add(1, {
          [ATTR_LLM_OTEL_ATTRIBUTE]: DRIFT_MODEL_LIMIT_ATTRIBUTE,
          [ATTR_LLM_OTEL_REASON]: reason,
        });
      } catch {
        // Counting must not throw.
      }
      warnOnce(
        `drift:models:${reason}`,
        reason === 'too_long'
          ? `drift monitoring skips models whose name is longer than ${maxValueLength} characters`
          : `drift monitoring tracks at most ${maxModels} models (maxModels); observations of further models are dropped`,
      );
    });
  }

  private static resolve(options: DriftMonitorOptions): DriftMonitorOptions {
    validateDetectorOptions(options);
    if (!(Number.isInteger(options.maxModels) && options.maxModels >= 1 && options.maxModels <= 10_000))
      throw new RangeError(`drift option maxModels must be an integer in [1, 10000], got ${String(options.maxModels)}`);
    if (!Array.isArray(options.metrics) || options.metrics.some((m) => !DRIFT_METRICS.includes(m)))
      throw new RangeError(`drift option metrics must list some of ${DRIFT_METRICS.join(', ')}`);
    return { ...options, metrics: [...options.metrics] };
  }
}

function isValidValue(metric: DriftMetric, value: unknown): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return false;
  return metric !== 'quality_score' || value <= 1;
}
