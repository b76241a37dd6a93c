import type { Attributes, Counter, ObservableResult } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_LLM_DRIFT_METRIC,
  ATTR_LLM_OTEL_ATTRIBUTE,
  ATTR_LLM_OTEL_REASON,
  OVERFLOW_VALUE,
} from '../attributes.js';
import { LlmOtelConfigError } from '../config-error.js';
import type { ObservableGaugeKey } from '../instrument-set.js';
import { AttributeValueLimiter, DEFAULT_ATTRIBUTE_LIMITS, type OverflowReason } from '../limits.js';
import { warnOnce } from '../report-once.js';
import { describeValue } from '../validate.js';
import {
  DEFAULT_DRIFT_DETECTOR_OPTIONS,
  DEFAULT_DRIFT_DIRECTIONS,
  DRIFT_DETECTOR_CHECKS,
  DRIFT_DIRECTIONS,
  DRIFT_METRICS,
  DriftDetector,
  type DriftDetectorOptions,
  type DriftDirection,
  type DriftEvaluation,
  type DriftMetric,
  type DriftPhase,
  validateDetectorOptions,
} from './detector.js';
import { checkDriftOptions, integerIn, mergeDefined, type OptionCheck } from './option-checks.js';

/** Options of the drift monitor: the detector options plus the bounds of the monitor. */
export interface DriftMonitorOptions extends Omit<DriftDetectorOptions, 'direction'> {
  /**
   * Models tracked. Observations of further models are dropped and counted in
   * `llm_otel_attribute_overflow_total{llm_otel_attribute="llm.drift.model"}`. Default 20.
   */
  maxModels: number;
  /**
   * Detectors held, one per (model, operation, metric): the memory bound (16 KB each with the default
   * sizes). Observations that would need more are dropped and counted in
   * `llm_otel_attribute_overflow_total{llm_otel_attribute="llm.drift.detector"}`. Default 100.
   */
  maxDetectors: number;
  /** Metrics monitored; observations of others are ignored. Default all three. */
  metrics: readonly DriftMetric[];
  /**
   * Which change is drift, per metric. Default {@link DEFAULT_DRIFT_DIRECTIONS}: latency `increase`
   * (slower), quality score `decrease` (lower), response length `both`.
   */
  directions: Readonly<Record<DriftMetric, DriftDirection>>;
}

/** What `configure()` and `getDriftMonitor()` accept: any subset; `directions` may name some metrics only. */
export type DriftMonitorConfig = Partial<Omit<DriftMonitorOptions, 'directions'>> & {
  directions?: Partial<Record<DriftMetric, DriftDirection>>;
};

export const DEFAULT_DRIFT_MONITOR_OPTIONS: Readonly<DriftMonitorOptions> = Object.freeze({
  ...DEFAULT_DRIFT_DETECTOR_OPTIONS,
  maxModels: 20,
  maxDetectors: 100,
  metrics: DRIFT_METRICS,
  directions: DEFAULT_DRIFT_DIRECTIONS,
});

const { direction: _directionCheck, ...DETECTOR_CHECKS_WITHOUT_DIRECTION } = DRIFT_DETECTOR_CHECKS;

const MONITOR_CHECKS: Readonly<Record<keyof DriftMonitorOptions, OptionCheck>> = {
  ...DETECTOR_CHECKS_WITHOUT_DIRECTION,
  maxModels: integerIn(1, 10_000),
  maxDetectors: integerIn(1, 100_000),
  metrics: (value, name) => {
    if (!Array.isArray(value) || !value.every((m) => (DRIFT_METRICS as readonly unknown[]).includes(m)))
      throw new LlmOtelConfigError(
        `${name} must be an array of some of ${DRIFT_METRICS.join(', ')}, got ${describeValue(value)}`,
      );
  },
  directions: (value, name) => {
    const ok =
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.entries(value).every(
        ([metric, direction]) =>
          (DRIFT_METRICS as readonly string[]).includes(metric) &&
          (direction === undefined || (DRIFT_DIRECTIONS as readonly unknown[]).includes(direction)),
      );
    if (!ok)
      throw new LlmOtelConfigError(
        `${name} must be an object mapping ${DRIFT_METRICS.join(', ')} to ${DRIFT_DIRECTIONS.join(', ')}`,
      );
  },
};

/** What the drift callback receives: the evaluation that opened a drift episode. */
export interface DriftEvent extends DriftEvaluation {
  readonly metric: DriftMetric;
  /** `gen_ai.request.model` of the observations. */
  readonly model: string;
  /** `gen_ai.operation.name` of the observations, when known (not for quality scores). */
  readonly operation: string | undefined;
}

/** A drift hook, e.g. the trigger of a retraining pipeline. May be async; errors are caught and counted. */
export type DriftCallback = (event: DriftEvent) => void | Promise<void>;

/** State of one detector, for diagnostics and tests. */
export interface DriftStatus {
  readonly metric: DriftMetric;
  readonly model: string;
  readonly operation: string | undefined;
  readonly direction: DriftDirection;
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
/** The label used in `llm_otel_attribute_overflow_total` for operation names longer than `maxValueLength`. */
export const DRIFT_OPERATION_LIMIT_ATTRIBUTE = 'llm.drift.operation';
/** The label used in `llm_otel_attribute_overflow_total` for detectors beyond `maxDetectors`. */
export const DRIFT_DETECTOR_LIMIT_ATTRIBUTE = 'llm.drift.detector';

/**
 * Series of dropped detectors (after `clear()` or `configure()`) still reported, at 0 / NaN, so that
 * the SDK does not keep exporting their last value; the oldest beyond this are forgotten.
 */
const MAX_RETIRED_SERIES = 1000;

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

/** The gauge attributes of one detector's series. */
function seriesAttributes(metric: DriftMetric, model: string, operation: string | undefined): Attributes {
  const attrs: Attributes = { [ATTR_LLM_DRIFT_METRIC]: metric, [ATTR_GEN_AI_REQUEST_MODEL]: model };
  if (operation !== undefined) attrs[ATTR_GEN_AI_OPERATION_NAME] = operation;
  return attrs;
}

/** The value a series reports to one gauge: the latest evaluation, or "none" (0 / NaN) after a reset. */
function gaugeValue(key: DriftGaugeKey, last: DriftEvaluation | undefined, inDrift: boolean): number {
  if (key === 'driftDetected') return inDrift ? 1 : 0;
  if (last === undefined) return Number.NaN; // no current evaluation: no statistic to show
  return key === 'driftKsStatistic' ? last.ksStatistic : key === 'driftPsi' ? last.psi : last.pValue;
}

/** `undefined` for no operation; the name, or null when it is not usable (dropped). */
function operationOf(operation: unknown): string | undefined | null {
  if (operation === undefined || operation === '') return undefined;
  return typeof operation === 'string' && operation !== OVERFLOW_VALUE ? operation : null;
}

/**
 * Streaming drift detection per model and operation for latency, response length and quality
 * score, with one {@link DriftDetector} per (model, operation, metric). Obtain the process-wide
 * instance, whose results are exported as the `llm_drift_*` gauges, with `getDriftMonitor()`.
 *
 * `observe()` never throws and costs three map lookups and a ring-buffer write, plus one evaluation
 * every `evaluateEvery` observations (a sort of the window, the KS test, the PSI). Drift callbacks
 * run after the observing call returned (in a microtask), never inside it.
 */
export class DriftMonitor {
  private options: DriftMonitorOptions;
  private detectorOptions: Record<DriftMetric, DriftDetectorOptions>;
  /** metric -> model -> operation ('' when unknown) -> detector */
  private readonly detectors = new Map<DriftMetric, Map<string, Map<string, DriftDetector>>>();
  private detectorCount = 0;
  /** Series of dropped detectors still reported as "no drift, no statistic", by JSON key. */
  private readonly retired = new Map<string, { metric: DriftMetric; model: string; operation: string | undefined }>();
  private readonly callbacks = new Set<DriftCallback>();
  private models: AttributeValueLimiter;
  private dropped = 0;

  /**
   * @param options monitor options (defaults for what is omitted or `undefined`)
   * @param host where overflow and internal errors are counted; a standalone monitor (the default)
   *   counts nothing and exports no gauges: the exported one is `getDriftMonitor()`'s.
   * @throws LlmOtelConfigError when an option is invalid
   */
  constructor(
    options: DriftMonitorConfig = {},
    private readonly host: DriftHost = DETACHED_HOST,
  ) {
    this.options = DriftMonitor.resolve(DEFAULT_DRIFT_MONITOR_OPTIONS, options);
    this.detectorOptions = DriftMonitor.perMetric(this.options);
    this.models = this.createModelLimiter();
  }

  /** Current options. */
  getOptions(): Readonly<DriftMonitorOptions> {
    return this.options;
  }

  /**
   * Changes options (those omitted or `undefined` keep their value). Detectors are sized at
   * creation, so a change discards every detector and its state (references, windows, open
   * episodes): configure before observing. Passing the current options again changes nothing.
   * Callbacks stay.
   * @throws LlmOtelConfigError when an option is invalid (nothing is changed then).
   */
  configure(options: DriftMonitorConfig): void {
    const next = DriftMonitor.resolve(this.options, options);
    if (JSON.stringify(next) === JSON.stringify(this.options)) return;
    this.options = next;
    this.detectorOptions = DriftMonitor.perMetric(next);
    this.clear();
  }

  /**
   * Drops every detector and the set of tracked models (callbacks and options stay). Series already
   * exported keep being reported, as `llm_drift_detected` 0 and NaN statistics, until a new detector
   * of the same (metric, model, operation) evaluates: the SDK would otherwise repeat their last value.
   */
  clear(): void {
    for (const d of this.select()) {
      if (!d.hasEvaluated) continue;
      const key = JSON.stringify([d.metric, d.model, d.operation]);
      this.retired.delete(key); // re-insert as the newest
      this.retired.set(key, { metric: d.metric, model: d.model, operation: d.operation });
      if (this.retired.size > MAX_RETIRED_SERIES) {
        const oldest = this.retired.keys().next().value as string;
        this.retired.delete(oldest);
        warnOnce(
          'drift:retired',
          `drift monitoring forgets the oldest of more than ${MAX_RETIRED_SERIES} retired series`,
        );
      }
    }
    this.detectors.clear();
    this.detectorCount = 0;
    this.models = this.createModelLimiter();
    this.dropped = 0;
  }

  /**
   * Records one observation of `metric` for `model` (and `operation`, the `gen_ai.operation.name`,
   * when known): a latency in seconds, a response length in output tokens or a quality score in
   * [0, 1]. Invalid values, metrics not in `metrics`, empty model names, `_OTHER` and non-string
   * operations are ignored (invalid values are logged once). Never throws.
   */
  observe(metric: DriftMetric, model: string, value: number, operation?: string): void {
    try {
      if (!this.options.metrics.includes(metric)) return; // unknown, or not monitored
      if (!isValidValue(metric, value)) {
        warnOnce(`drift:invalid:${metric}`, `drift monitor ignored ${metric} value ${String(value)}`);
        return;
      }
      const op = operationOf(operation);
      if (op === null) {
        warnOnce('drift:invalid:operation', `drift monitor ignored operation ${String(operation)}`);
        return;
      }
      const detector = this.detectorFor(metric, model, op);
      if (detector === undefined) return;
      const evaluation = detector.observe(value);
      if (evaluation === undefined) return;
      // Binds the instruments (and so the llm_drift_* gauges) to the current global MeterProvider,
      // for applications that feed the monitor without recording anything else.
      this.host.instruments();
      if (evaluation.episodeStarted) this.dispatch(this.eventOf(detector, evaluation));
    } catch (error) {
      this.host.reportInternalError(COMPONENT, error);
    }
  }

  /**
   * Freezes a baseline now for the matching detectors (all when `model`, `metric` and `operation`
   * are omitted): a reference still being collected is frozen as it is, otherwise the current window
   * becomes the reference. Detectors with fewer than `minSamples` values are skipped. A frozen
   * detector reports no drift (0) and no statistics (NaN) until its next evaluation.
   * @returns the number of detectors that froze a baseline
   */
  freezeBaseline(model?: string, metric?: DriftMetric, operation?: string): number {
    let frozen = 0;
    for (const d of this.select(model, metric, operation)) if (d.freezeBaseline()) frozen++;
    return frozen;
  }

  /**
   * Discards the baseline of the matching detectors (all when omitted): with `baseline: 'first'`
   * the next `referenceSize` observations after a new `warmup` form a new one, e.g. after deploying
   * a new model version. A reset detector reports no drift (0) and no statistics (NaN) until its
   * next evaluation.
   * @returns the number of detectors reset
   */
  resetBaseline(model?: string, metric?: DriftMetric, operation?: string): number {
    let count = 0;
    for (const d of this.select(model, metric, operation)) {
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
  evaluate(model?: string, metric?: DriftMetric, operation?: string): DriftEvent[] {
    const out: DriftEvent[] = [];
    this.host.instruments();
    for (const d of this.select(model, metric, operation)) {
      const evaluation = d.evaluate();
      if (evaluation === undefined) continue;
      const event = this.eventOf(d, evaluation);
      out.push(event);
      if (evaluation.episodeStarted) this.dispatch(event);
    }
    return out;
  }

  /**
   * Registers a drift hook, called once when a drift episode opens for a (model, operation,
   * metric), i.e. the spec's automated retraining trigger. It runs in a microtask after the
   * observation that detected the drift; a thrown error or rejected promise is caught and counted in
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
  getStatus(model?: string, metric?: DriftMetric, operation?: string): DriftStatus[] {
    return [...this.select(model, metric, operation)].map((d) => ({
      metric: d.metric,
      model: d.model,
      operation: d.operation,
      direction: d.direction,
      phase: d.phase,
      observations: d.observations,
      referenceCount: d.sizes.reference,
      windowCount: d.sizes.window,
      inDrift: d.inDrift,
      byteLength: d.byteLength,
      last: d.last,
    }));
  }

  /** Detectors held, models tracked and observations dropped because of `maxModels` / `maxDetectors`. */
  getStats(): { detectors: number; models: number; droppedObservations: number } {
    return {
      detectors: this.detectorCount,
      models: this.models.distinctCount(ATTR_GEN_AI_REQUEST_MODEL),
      droppedObservations: this.dropped,
    };
  }

  /**
   * Reports every series to one of the `llm_drift_*` gauges: the latest evaluation of each detector
   * that has one; after a reset, a freeze or a `clear()`, `llm_drift_detected` 0 and NaN statistics
   * (the SDK would otherwise keep exporting the last value of a series no longer observed).
   */
  observeGauge(key: ObservableGaugeKey, result: ObservableResult<Attributes>): void {
    const gauge = key as DriftGaugeKey;
    for (const d of this.select()) {
      if (!d.hasEvaluated) continue; // a series appears with its first evaluation
      result.observe(gaugeValue(gauge, d.last, d.inDrift), seriesAttributes(d.metric, d.model, d.operation));
    }
    for (const [retiredKey, r] of this.retired) {
      if (this.find(r.metric, r.model, r.operation ?? '')?.hasEvaluated) {
        this.retired.delete(retiredKey); // live again: reported above
        continue;
      }
      result.observe(gaugeValue(gauge, undefined, false), seriesAttributes(r.metric, r.model, r.operation));
    }
  }

  private find(metric: DriftMetric, model: string, operation: string): DriftDetector | undefined {
    return this.detectors.get(metric)?.get(model)?.get(operation);
  }

  /** The detector of (metric, model, operation), created within the bounds; undefined when dropped. */
  private detectorFor(metric: DriftMetric, model: string, operation: string | undefined): DriftDetector | undefined {
    const opKey = operation ?? '';
    let byModel = this.detectors.get(metric);
    let byOperation = byModel?.get(model);
    const found = byOperation?.get(opKey);
    if (found !== undefined) return found;
    if (typeof model !== 'string' || model.length === 0 || model === OVERFLOW_VALUE) return undefined;
    // Over the limit, the limiter's callback counts the drop.
    if (this.models.admit(ATTR_GEN_AI_REQUEST_MODEL, model) === OVERFLOW_VALUE) return undefined;
    if (operation !== undefined && operation.length > this.host.getOptions().maxValueLength) {
      this.overflow(DRIFT_OPERATION_LIMIT_ATTRIBUTE, 'too_long');
      return undefined;
    }
    if (this.detectorCount >= this.options.maxDetectors) {
      this.overflow(DRIFT_DETECTOR_LIMIT_ATTRIBUTE, 'too_many_values');
      return undefined;
    }
    const detector = new DriftDetector(metric, model, this.detectorOptions[metric], operation);
    if (byModel === undefined) {
      byModel = new Map();
      this.detectors.set(metric, byModel);
    }
    if (byOperation === undefined) {
      byOperation = new Map();
      byModel.set(model, byOperation);
    }
    byOperation.set(opKey, detector);
    this.detectorCount++;
    return detector;
  }

  private *select(model?: string, metric?: DriftMetric, operation?: string): Iterable<DriftDetector> {
    for (const [m, byModel] of this.detectors) {
      if (metric !== undefined && m !== metric) continue;
      for (const [name, byOperation] of byModel) {
        if (model !== undefined && name !== model) continue;
        for (const d of byOperation.values()) if (operation === undefined || d.operation === operation) yield d;
      }
    }
  }

  private eventOf(d: DriftDetector, evaluation: DriftEvaluation): DriftEvent {
    return { ...evaluation, metric: d.metric, model: d.model, operation: d.operation };
  }

  private dispatch(event: DriftEvent): void {
    for (const callback of this.callbacks) {
      Promise.resolve()
        .then(() => callback(event))
        .catch((error: unknown) => this.host.reportInternalError('drift.onDrift', error));
    }
  }

  /** Counts an observation dropped by a bound. */
  private overflow(attribute: string, reason: OverflowReason): void {
    this.dropped++;
    try {
      this.host.instruments().attributeOverflow.add(1, {
        [ATTR_LLM_OTEL_ATTRIBUTE]: attribute,
        [ATTR_LLM_OTEL_REASON]: reason,
      });
    } catch {
      // Counting must not throw.
    }
    warnOnce(
      `drift:${attribute}:${reason}`,
      attribute === DRIFT_DETECTOR_LIMIT_ATTRIBUTE
        ? `drift monitoring holds at most ${this.options.maxDetectors} detectors (maxDetectors); further (model, operation, metric) observations are dropped`
        : attribute === DRIFT_OPERATION_LIMIT_ATTRIBUTE
          ? `drift monitoring skips operation names longer than ${this.host.getOptions().maxValueLength} characters`
          : reason === 'too_long'
            ? `drift monitoring skips models whose name is longer than ${this.host.getOptions().maxValueLength} characters`
            : `drift monitoring tracks at most ${this.options.maxModels} models (maxModels); observations of further models are dropped`,
    );
  }

  private createModelLimiter(): AttributeValueLimiter {
    const { maxModels } = this.options;
    const maxValueLength = this.host.getOptions().maxValueLength;
    return new AttributeValueLimiter({ maxValueLength, maxDistinctValues: maxModels }, (_key, reason) =>
      this.overflow(DRIFT_MODEL_LIMIT_ATTRIBUTE, reason),
    );
  }

  /** The detector options of each metric (its direction included), checked together. */
  private static perMetric(o: DriftMonitorOptions): Record<DriftMetric, DriftDetectorOptions> {
    const { maxModels: _m, maxDetectors: _d, metrics: _x, directions, ...shared } = o;
    const out = {} as Record<DriftMetric, DriftDetectorOptions>;
    for (const metric of DRIFT_METRICS) out[metric] = { ...shared, direction: directions[metric] };
    return out;
  }

  private static resolve(current: DriftMonitorOptions, input: DriftMonitorConfig): DriftMonitorOptions {
    checkDriftOptions(input, MONITOR_CHECKS);
    const { directions, ...rest } = input;
    const next = mergeDefined<DriftMonitorOptions>(current, rest as Partial<DriftMonitorOptions>);
    next.directions = Object.freeze(mergeDefined(current.directions, directions ?? {}));
    next.metrics = Object.freeze([...next.metrics]);
    validateDetectorOptions(DriftMonitor.perMetric(next).latency); // the cross-option checks
    return next;
  }
}

function isValidValue(metric: DriftMetric, value: unknown): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return false;
  return metric !== 'quality_score' || value <= 1;
}
