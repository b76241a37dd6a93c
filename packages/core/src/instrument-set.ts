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
import { type CallSinks, type CounterSink, FastCounter, type HistogramSink, withExtra } from './fast-aggregation.js';
import { PACKAGE_VERSION } from './version.js';

/** Attribute sets of the output-token counter, the overflow set included (the SDK's default limit). */
const TOKEN_TOTALS_LIMIT = 2000;

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
  | 'driftDetected'
  | 'rateLimitRemaining'
  | 'rateLimitLimit'
  | 'rateLimitResetSeconds'
  | 'abPValue'
  | 'abEffectSize'
  | 'abDifference'
  | 'abSamples';

/** Adapts an SDK histogram to the sink `recordInference()` writes to (the key is not needed). */
class SdkHistogramSink implements HistogramSink {
  constructor(private readonly histogram: Histogram) {}

  record(_key: string, value: number, attributes: Attributes, extraKey?: string, extraValue?: string): void {
    this.histogram.record(value, withExtra(attributes, extraKey, extraValue));
  }
}

/** Adapts an SDK counter (see {@link SdkHistogramSink}). */
class SdkCounterSink implements CounterSink {
  constructor(private readonly counter: Counter) {}

  add(_key: string, value: number, attributes: Attributes, extraKey?: string, extraValue?: string): void {
    this.counter.add(value, withExtra(attributes, extraKey, extraValue));
  }
}

/** All instruments of the catalogue, created on one meter. */
export class InstrumentSet {
  readonly inferenceLatency: Histogram;
  /**
   * Output-token totals when no core aggregator is attached (the SDK path), summed in core (one Map
   * update per call instead of an SDK `Counter.add`, which hashes the attribute set) and reported by
   * the observable counter `llm_token_generation_rate_total` at collection. Bounded like the SDK's
   * cardinality limit. With an aggregator attached, the totals go to it instead (`sinks` of it).
   */
  readonly tokenGeneration: FastCounter;
  /** The SDK instruments `recordInference()` writes to when no core aggregator is attached. */
  readonly sinks: CallSinks;
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
  readonly tokenUsageDetail: Counter;
  readonly cost: Counter;
  readonly unpricedCalls: Counter;

  constructor(meter: Meter, observe: GaugeObserver) {
    const I = INSTRUMENTS;
    this.inferenceLatency = histogram(meter, I.inferenceLatency);
    const tokenGeneration = new FastCounter(I.tokenGeneration, TOKEN_TOTALS_LIMIT);
    this.tokenGeneration = tokenGeneration;
    meter
      .createObservableCounter(I.tokenGeneration.name, {
        description: I.tokenGeneration.description,
        unit: I.tokenGeneration.unit,
      })
      .addCallback((r) => {
        for (const cell of tokenGeneration.cells.values()) r.observe(cell.value, cell.attributes);
      });
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
    this.tokenUsageDetail = counter(meter, I.tokenUsageDetail);
    this.cost = counter(meter, I.cost);
    this.unpricedCalls = counter(meter, I.unpricedCalls);
    this.sinks = {
      inferenceLatency: new SdkHistogramSink(this.inferenceLatency),
      requestTokens: new SdkHistogramSink(this.requestTokens),
      timeToFirstToken: new SdkHistogramSink(this.timeToFirstToken),
      timePerOutputToken: new SdkHistogramSink(this.timePerOutputToken),
      genAiOperationDuration: new SdkHistogramSink(this.genAiOperationDuration),
      genAiTokenUsage: new SdkHistogramSink(this.genAiTokenUsage),
      genAiTimeToFirstChunk: new SdkHistogramSink(this.genAiTimeToFirstChunk),
      errors: new SdkCounterSink(this.errors),
      tokenGeneration,
      tokenUsageDetail: new SdkCounterSink(this.tokenUsageDetail),
      cost: new SdkCounterSink(this.cost),
      unpricedCalls: new SdkCounterSink(this.unpricedCalls),
    };
    observableGauge(meter, I.modelVersion).addCallback((r) => observe('modelVersion', r));
    observableGauge(meter, I.modelDeployedAt).addCallback((r) => observe('modelDeployedAt', r));
    observableGauge(meter, I.modelUp).addCallback((r) => observe('modelUp', r));
    observableGauge(meter, I.driftKsStatistic).addCallback((r) => observe('driftKsStatistic', r));
    observableGauge(meter, I.driftPsi).addCallback((r) => observe('driftPsi', r));
    observableGauge(meter, I.driftPValue).addCallback((r) => observe('driftPValue', r));
    observableGauge(meter, I.driftDetected).addCallback((r) => observe('driftDetected', r));
    // Rate-limit headroom: the latest values kept in core (a Map update per response), observed at
    // collection, so both export paths report the same SDK instruments.
    observableGauge(meter, I.rateLimitRemaining).addCallback((r) => observe('rateLimitRemaining', r));
    observableGauge(meter, I.rateLimitLimit).addCallback((r) => observe('rateLimitLimit', r));
    observableGauge(meter, I.rateLimitResetSeconds).addCallback((r) => observe('rateLimitResetSeconds', r));
    observableGauge(meter, I.abPValue).addCallback((r) => observe('abPValue', r));
    observableGauge(meter, I.abEffectSize).addCallback((r) => observe('abEffectSize', r));
    observableGauge(meter, I.abDifference).addCallback((r) => observe('abDifference', r));
    observableGauge(meter, I.abSamples).addCallback((r) => observe('abSamples', r));
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
      this.set = new InstrumentSet(provider.getMeter(METER_NAME, PACKAGE_VERSION), this.observe);
    }
    return this.set;
  }
}
