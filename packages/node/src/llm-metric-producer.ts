import { getLlmMetrics, INSTRUMENTS, METER_NAME } from '@llm-otel/core';
import {
  type CounterCell,
  FastAggregator,
  type FastCounter,
  type FastHistogram,
  type HistogramCell,
  METER_VERSION,
} from '@llm-otel/core/internal';
import { type HrTime, ValueType } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type AggregationTemporalitySelector,
  type CollectionResult,
  DataPointType,
  type HistogramMetricData,
  InstrumentType,
  type MetricData,
  type MetricProducer,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { EXEMPLARS_PROPERTY, exemplarSnapshot, type HistogramPointWithExemplars } from './exemplars.js';

/** Options of {@link llmMetricProducer}. */
export interface LlmMetricProducerOptions {
  /** Attribute sets kept per instrument (the overflow set included), as the SDK's limit. Default 2000. */
  cardinalityLimit?: number;
  /**
   * Temporality of the reader this producer is given to: a fixed value, or the reader's selector
   * (e.g. `(type) => exporter.selectAggregationTemporality(type)`). Default cumulative.
   */
  temporality?: AggregationTemporality | AggregationTemporalitySelector;
}

/** A MetricProducer exporting what `recordInference()` aggregated in core, for one reader. */
export interface LlmMetricProducer extends MetricProducer {
  /** The aggregator attached to `getLlmMetrics()`, shared by every producer of the family. */
  readonly aggregator: FastAggregator;
  /**
   * Another producer over the same aggregator, for one more reader of the provider, reporting with
   * that reader's temporality. Each reader needs its own producer: a delta producer reports the
   * change since its own previous collection.
   */
  forReader(temporality?: AggregationTemporality | AggregationTemporalitySelector): LlmMetricProducer;
  /**
   * Detaches the aggregator: `recordInference()` records into the SDK instruments again, and every
   * producer of the family reports nothing from then on (the SDK instruments carry the series).
   */
  detach(): void;
}

type Temporality = AggregationTemporality | AggregationTemporalitySelector;

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/** Min and max of a histogram cell over a span of time. */
interface Extremes {
  min: number;
  max: number;
}

/** What a delta producer reported last for one histogram cell, and the extremes seen since. */
interface HistogramMark extends Extremes {
  counts: number[];
  sum: number;
  count: number;
  /** Unix ms of the producer's collection that last reported this cell. */
  reportedAtMs: number;
}

/** What a delta producer reported last for one counter cell. */
interface CounterMark {
  value: number;
  reportedAtMs: number;
}

/**
 * The state shared by the producers of one aggregator. Core keeps one running min/max per cell
 * (the hot path cannot update one per reader); at every collection of any producer, that
 * since-last-checkpoint min/max is folded into the cumulative extremes and into each delta
 * producer's pending extremes, then reset. Cumulative producers read the cumulative extremes; a
 * delta producer reads its pending ones, so every reader sees exactly its own interval.
 */
class Source {
  readonly cumulative = new Map<HistogramCell, Extremes>();
  readonly deltas = new Set<DeltaState>();
  detached = false;

  constructor(readonly aggregator: FastAggregator) {}

  checkpoint(): void {
    for (const h of this.aggregator.histograms()) {
      for (const cell of h.cells.values()) {
        if (cell.min === Number.POSITIVE_INFINITY && cell.max === Number.NEGATIVE_INFINITY) continue;
        const total = this.cumulative.get(cell);
        if (total === undefined) this.cumulative.set(cell, { min: cell.min, max: cell.max });
        else fold(total, cell);
        for (const delta of this.deltas) {
          const mark = delta.histograms.get(cell);
          // A cell this producer has not reported yet starts from the cumulative extremes.
          if (mark !== undefined) fold(mark, cell);
        }
        cell.min = Number.POSITIVE_INFINITY;
        cell.max = Number.NEGATIVE_INFINITY;
      }
    }
  }
}

function fold(into: Extremes, from: Extremes): void {
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
}

/** Per-cell marks of one delta producer. Bounded like the aggregator (cells are never removed). */
class DeltaState {
  readonly histograms = new Map<HistogramCell, HistogramMark>();
  readonly counters = new Map<CounterCell, CounterMark>();
}

function descriptor(spec: FastHistogram['spec']): MetricData['descriptor'] {
  return { name: spec.name, description: spec.description, unit: spec.unit, valueType: ValueType.DOUBLE };
}

function cumulativeHistogram(source: Source, h: FastHistogram, nowMs: number): HistogramMetricData | undefined {
  if (h.cells.size === 0) return undefined;
  const endTime = hrTime(nowMs);
  const boundaries = [...h.boundaries];
  const dataPoints: HistogramMetricData['dataPoints'] = [];
  for (const cell of h.cells.values()) {
    const extremes = source.cumulative.get(cell) ?? cell;
    const counts = cell.counts.slice();
    dataPoints.push(
      withExemplars(
        {
          attributes: cell.attributes,
          startTime: hrTime(cell.startTimeMs),
          endTime,
          value: {
            min: extremes.min,
            max: extremes.max,
            sum: cell.sum,
            buckets: { boundaries, counts },
            count: cell.count,
          },
        },
        cell,
        counts,
      ),
    );
  }
  return {
    descriptor: descriptor(h.spec),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints,
  };
}

/** The change of each cell since this producer's previous report of it; cells with no record are left out. */
function deltaHistogram(
  source: Source,
  state: DeltaState,
  h: FastHistogram,
  nowMs: number,
): HistogramMetricData | undefined {
  const endTime = hrTime(nowMs);
  const boundaries = [...h.boundaries];
  const dataPoints: HistogramMetricData['dataPoints'] = [];
  for (const cell of h.cells.values()) {
    let mark = state.histograms.get(cell);
    if (mark === undefined) {
      const total = source.cumulative.get(cell) ?? cell;
      mark = { counts: [], sum: 0, count: 0, min: total.min, max: total.max, reportedAtMs: 0 };
      state.histograms.set(cell, mark);
    }
    if (cell.count === mark.count) continue;
    const counts = cell.counts.map((n, i) => n - (mark.counts[i] ?? 0));
    dataPoints.push(
      withExemplars(
        {
          attributes: cell.attributes,
          startTime: hrTime(Math.max(cell.startTimeMs, mark.reportedAtMs)),
          endTime,
          value: {
            min: mark.min,
            max: mark.max,
            sum: cell.sum - mark.sum,
            buckets: { boundaries, counts },
            count: cell.count - mark.count,
          },
        },
        cell,
        counts,
      ),
    );
    mark.counts = cell.counts.slice();
    mark.sum = cell.sum;
    mark.count = cell.count;
    mark.min = Number.POSITIVE_INFINITY;
    mark.max = Number.NEGATIVE_INFINITY;
    mark.reportedAtMs = nowMs;
  }
  if (dataPoints.length === 0) return undefined;
  return {
    descriptor: descriptor(h.spec),
    aggregationTemporality: AggregationTemporality.DELTA,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints,
  };
}

/**
 * `point` with a snapshot of the cell's exemplars (latency only; buckets with calls in `counts`):
 * an extra property the OpenMetrics exposition reads and other exporters ignore.
 */
function withExemplars(
  point: HistogramMetricData['dataPoints'][number],
  cell: HistogramCell,
  counts: readonly number[],
): HistogramPointWithExemplars {
  const exemplars = exemplarSnapshot(cell.exemplars, counts);
  return exemplars === undefined ? point : { ...point, [EXEMPLARS_PROPERTY]: exemplars };
}

/**
 * The counters the SDK path exports through an observable counter (core sums them itself either
 * way): the temporality is chosen for that instrument type, and a delta reader gets every series at
 * each collection, unchanged ones at 0, as the SDK reports asynchronous instruments.
 */
const OBSERVED_COUNTERS: ReadonlySet<string> = new Set([INSTRUMENTS.tokenGeneration.name]);

function counterData(
  state: DeltaState | undefined,
  c: FastCounter,
  nowMs: number,
  observed: boolean,
): SumMetricData | undefined {
  const endTime = hrTime(nowMs);
  const dataPoints: SumMetricData['dataPoints'] = [];
  for (const cell of c.cells.values()) {
    if (state === undefined) {
      dataPoints.push({ attributes: cell.attributes, startTime: hrTime(cell.startTimeMs), endTime, value: cell.value });
      continue;
    }
    let mark = state.counters.get(cell);
    if (mark === undefined) {
      mark = { value: 0, reportedAtMs: 0 };
      state.counters.set(cell, mark);
    }
    if (cell.value === mark.value && !observed) continue;
    dataPoints.push({
      attributes: cell.attributes,
      startTime: hrTime(Math.max(cell.startTimeMs, mark.reportedAtMs)),
      endTime,
      value: cell.value - mark.value,
    });
    mark.value = cell.value;
    mark.reportedAtMs = nowMs;
  }
  if (dataPoints.length === 0) return undefined;
  return {
    descriptor: descriptor(c.spec),
    aggregationTemporality: state === undefined ? AggregationTemporality.CUMULATIVE : AggregationTemporality.DELTA,
    dataPointType: DataPointType.SUM,
    dataPoints,
    isMonotonic: true,
  };
}

function producerOf(source: Source, temporality: Temporality): LlmMetricProducer {
  const resource = emptyResource();
  // Chosen at the first collection and kept, as the SDK does per reader and instrument.
  let histogramState: DeltaState | undefined | null = null;
  let counterState: DeltaState | undefined | null = null;
  let observedState: DeltaState | undefined | null = null;
  const select = (type: InstrumentType): DeltaState | undefined => {
    const t = typeof temporality === 'function' ? temporality(type) : temporality;
    if (t !== AggregationTemporality.DELTA) return undefined;
    const state = new DeltaState();
    source.deltas.add(state);
    return state;
  };
  return {
    aggregator: source.aggregator,
    forReader: (t = AggregationTemporality.CUMULATIVE) => producerOf(source, t),
    detach: () => {
      source.detached = true;
      source.deltas.clear();
      getLlmMetrics().detachAggregator(source.aggregator);
    },
    collect: async (): Promise<CollectionResult> => {
      const metrics: MetricData[] = [];
      const errors: unknown[] = [];
      // A failure here must not fail the reader's whole collection (the SDK's metrics would go too):
      // it is counted, logged once, and handed to the reader as a collection error.
      try {
        if (!source.detached) collectInto(metrics);
      } catch (error) {
        metrics.length = 0;
        errors.push(error);
        getLlmMetrics().reportInternalError('llmMetricProducer', error);
      }
      return {
        resourceMetrics: {
          resource,
          scopeMetrics: metrics.length > 0 ? [{ scope: { name: METER_NAME, version: METER_VERSION }, metrics }] : [],
        },
        errors,
      };
    },
  };

  function collectInto(metrics: MetricData[]): void {
    if (histogramState === null) histogramState = select(InstrumentType.HISTOGRAM);
    if (counterState === null) counterState = select(InstrumentType.COUNTER);
    if (observedState === null) observedState = select(InstrumentType.OBSERVABLE_COUNTER);
    source.checkpoint();
    const nowMs = Date.now();
    for (const h of source.aggregator.histograms()) {
      const data =
        histogramState === undefined
          ? cumulativeHistogram(source, h, nowMs)
          : deltaHistogram(source, histogramState, h, nowMs);
      if (data !== undefined) metrics.push(data);
    }
    for (const c of source.aggregator.counters()) {
      const observed = OBSERVED_COUNTERS.has(c.spec.name);
      const data = counterData(observed ? observedState : counterState, c, nowMs, observed);
      if (data !== undefined) metrics.push(data);
    }
  }
}

/**
 * Makes `getLlmMetrics().recordInference()` aggregate in core (a Map update per instrument instead
 * of the SDK's attribute hashing, several times cheaper) and returns a MetricProducer that exports
 * that state as histograms and sums, with the catalogue's names, units and buckets, in the
 * temporality of its reader. `register()` uses it; with your own SDK, give every reader of your
 * MeterProvider its own producer of the family:
 *
 * ```ts
 * const producer = llmMetricProducer();
 * new PrometheusExporter({ metricProducers: [producer] });
 * new PeriodicExportingMetricReader({
 *   exporter,
 *   metricProducers: [producer.forReader((type) => exporter.selectAggregationTemporality(type))],
 * });
 * ```
 *
 * Readers without one do not see the llm-otel call metrics (latency, tokens, errors, streaming
 * timings, GenAI histograms). Call `detach()` to go back to recording through the SDK.
 */
export function llmMetricProducer(options: LlmMetricProducerOptions = {}): LlmMetricProducer {
  const aggregator = new FastAggregator({ cardinalityLimit: options.cardinalityLimit });
  getLlmMetrics().attachAggregator(aggregator);
  return producerOf(new Source(aggregator), options.temporality ?? AggregationTemporality.CUMULATIVE);
}
