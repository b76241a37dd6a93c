import type {
  Attributes,
  Counter,
  Gauge,
  Histogram,
  Meter,
  MeterProvider,
  ObservableGauge,
  ObservableResult,
} from '@opentelemetry/api';
import { metrics } from '@opentelemetry/api';
import { INSTRUMENTS, type InstrumentSpec, METER_NAME } from './catalogue.js';

/** The version reported as the instrumentation scope version. */
export const PACKAGE_VERSION = '0.1.0';

function histogram(meter: Meter, spec: InstrumentSpec): Histogram {
  return meter.createHistogram(spec.name, {
    description: spec.description,
    unit: spec.unit,
    // Honoured by SDKs that read advice (sdk-metrics >= 1.24); register() also sets views.
    advice: spec.buckets ? { explicitBucketBoundaries: [...spec.buckets] } : undefined,
  });
}

function counter(meter: Meter, spec: InstrumentSpec): Counter {
  return meter.createCounter(spec.name, { description: spec.description, unit: spec.unit });
}

function gauge(meter: Meter, spec: InstrumentSpec): Gauge {
  return meter.createGauge(spec.name, { description: spec.description, unit: spec.unit });
}

function observableGauge(meter: Meter, spec: InstrumentSpec): ObservableGauge {
  return meter.createObservableGauge(spec.name, { description: spec.description, unit: spec.unit });
}

/** A source of observations for an observable gauge, e.g. the model registry. */
export type GaugeObserver = (key: ObservableGaugeKey, result: ObservableResult<Attributes>) => void;
export type ObservableGaugeKey =
  | 'modelVersion'
  | 'modelDeployedAt'
  | 'modelUp'
  | 'driftKsStatistic'
  | 'driftPsi'
  | 'driftPValue'
  | 'driftDetected';

/**
 * Output-token totals per attribute set, summed in core and reported by the observable counter
 * `llm_token_generation_rate_total` at collection: one Map update per call instead of an SDK
 * `Counter.add` (which hashes the attribute set, ~2 µs). Bounded: past `MAX_SERIES` sets, new ones
 * are added to one overflow set, as the SDK's cardinality limit would do.
 */
export class TokenTotals {
  static readonly MAX_SERIES = 2000;
  private readonly totals = new Map<string, { attributes: Attributes; total: number }>();

  add(key: string, attributes: Attributes, value: number): void {
    let entry = this.totals.get(key);
    if (entry === undefined) {
      if (this.totals.size >= TokenTotals.MAX_SERIES) {
        key = '\u0000overflow';
        entry = this.totals.get(key);
      }
      if (entry === undefined) {
        entry = { attributes: key === '\u0000overflow' ? { 'otel.metric.overflow': true } : attributes, total: 0 };
        this.totals.set(key, entry);
      }
    }
    entry.total += value;
  }

  observe(result: ObservableResult<Attributes>): void {
    for (const entry of this.totals.values()) result.observe(entry.total, entry.attributes);
  }
}

/** All instruments of the catalogue, created on one meter. */
export class InstrumentSet {
  readonly inferenceLatency: Histogram;
  readonly tokenGeneration: TokenTotals;
  readonly requestTokens: Histogram;
  readonly errors: Counter;
  readonly qualityScore: Gauge;
  readonly summarizationLength: Histogram;
  readonly intentParsing: Counter;
  readonly timeToFirstToken: Histogram;
  readonly timePerOutputToken: Histogram;
  readonly genAiOperationDuration: Histogram;
  readonly genAiTokenUsage: Histogram;
  readonly genAiTimeToFirstChunk: Histogram;
  readonly invalidInput: Counter;
  readonly attributeOverflow: Counter;
  readonly internalErrors: Counter;
  readonly evaluations: Counter;

  constructor(meter: Meter, observe: GaugeObserver, tokenTotals: TokenTotals) {
    const I = INSTRUMENTS;
    this.inferenceLatency = histogram(meter, I.inferenceLatency);
    this.tokenGeneration = tokenTotals;
    meter
      .createObservableCounter(I.tokenGeneration.name, {
        description: I.tokenGeneration.description,
        unit: I.tokenGeneration.unit,
      })
      .addCallback((r) => tokenTotals.observe(r));
    this.requestTokens = histogram(meter, I.requestTokens);
    this.errors = counter(meter, I.errors);
    this.qualityScore = gauge(meter, I.qualityScore);
    this.summarizationLength = histogram(meter, I.summarizationLength);
    this.intentParsing = counter(meter, I.intentParsing);
    this.timeToFirstToken = histogram(meter, I.timeToFirstToken);
    this.timePerOutputToken = histogram(meter, I.timePerOutputToken);
    this.genAiOperationDuration = histogram(meter, I.genAiOperationDuration);
    this.genAiTokenUsage = histogram(meter, I.genAiTokenUsage);
    this.genAiTimeToFirstChunk = histogram(meter, I.genAiTimeToFirstChunk);
    this.invalidInput = counter(meter, I.invalidInput);
    this.attributeOverflow = counter(meter, I.attributeOverflow);
    this.internalErrors = counter(meter, I.internalErrors);
    this.evaluations = counter(meter, I.evaluations);
    observableGauge(meter, I.modelVersion).addCallback((r) => observe('modelVersion', r));
    observableGauge(meter, I.modelDeployedAt).addCallback((r) => observe('modelDeployedAt', r));
    observableGauge(meter, I.modelUp).addCallback((r) => observe('modelUp', r));
    observableGauge(meter, I.driftKsStatistic).addCallback((r) => observe('driftKsStatistic', r));
    observableGauge(meter, I.driftPsi).addCallback((r) => observe('driftPsi', r));
    observableGauge(meter, I.driftPValue).addCallback((r) => observe('driftPValue', r));
    observableGauge(meter, I.driftDetected).addCallback((r) => observe('driftDetected', r));
  }
}

/**
 * Keeps an {@link InstrumentSet} bound to the current global MeterProvider.
 *
 * The OpenTelemetry API has no proxy meter provider: a meter taken before the SDK is registered is a
 * no-op forever. So the binding compares the global provider on every use (one property read and an
 * identity check) and recreates the instruments when it changed, e.g. when `register()` ran after
 * the first call to `getLlmMetrics()`, or after a provider was shut down and replaced.
 */
export class InstrumentBinding {
  private provider: MeterProvider | undefined;
  private set: InstrumentSet | undefined;

  constructor(private readonly observe: GaugeObserver) {}

  current(): InstrumentSet {
    const provider = metrics.getMeterProvider();
    if (provider !== this.provider || this.set === undefined) {
      this.provider = provider;
      this.set = new InstrumentSet(provider.getMeter(METER_NAME, PACKAGE_VERSION), this.observe, new TokenTotals());
    }
    return this.set;
  }
}
