import {
  FastAggregator,
  type FastCounter,
  type FastHistogram,
  getLlmMetrics,
  METER_NAME,
  METER_VERSION,
} from '@llm-otel/core';
import { type HrTime, ValueType } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type CollectionResult,
  DataPointType,
  type HistogramMetricData,
  type MetricData,
  type MetricProducer,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';

/** Options of {@link llmMetricProducer}. */
export interface LlmMetricProducerOptions {
  /** Attribute sets kept per instrument (the overflow set included), as the SDK's limit. Default 2000. */
  cardinalityLimit?: number;
}

/** A MetricProducer exporting what `recordInference()` aggregated in core. */
export interface LlmMetricProducer extends MetricProducer {
  /** The aggregator attached to `getLlmMetrics()`. */
  readonly aggregator: FastAggregator;
  /** Detaches the aggregator: `recordInference()` records into the SDK instruments again. */
  detach(): void;
}

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

function histogramData(h: FastHistogram, endTime: HrTime): HistogramMetricData | undefined {
  if (h.cells.size === 0) return undefined;
  const boundaries = [...h.boundaries];
  const dataPoints: HistogramMetricData['dataPoints'] = [];
  for (const cell of h.cells.values()) {
    dataPoints.push({
      attributes: cell.attributes,
      startTime: hrTime(cell.startTimeMs),
      endTime,
      value: {
        min: cell.min,
        max: cell.max,
        sum: cell.sum,
        buckets: { boundaries, counts: cell.counts.slice() },
        count: cell.count,
      },
    });
  }
  return {
    descriptor: { name: h.spec.name, description: h.spec.description, unit: h.spec.unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints,
  };
}

function counterData(c: FastCounter, endTime: HrTime): SumMetricData | undefined {
  if (c.cells.size === 0) return undefined;
  const dataPoints: SumMetricData['dataPoints'] = [];
  for (const cell of c.cells.values()) {
    dataPoints.push({ attributes: cell.attributes, startTime: hrTime(cell.startTimeMs), endTime, value: cell.value });
  }
  return {
    descriptor: { name: c.spec.name, description: c.spec.description, unit: c.spec.unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    dataPoints,
    isMonotonic: true,
  };
}

/**
 * Makes `getLlmMetrics().recordInference()` aggregate in core (a Map update per instrument instead
 * of the SDK's attribute hashing, several times cheaper) and returns the MetricProducer that exports
 * that state as cumulative histograms and sums, with the catalogue's names, units and buckets.
 * `register()` uses it; with your own SDK, pass it to every reader of your MeterProvider:
 *
 * ```ts
 * const producer = llmMetricProducer();
 * new PrometheusExporter({ metricProducers: [producer] });
 * new PeriodicExportingMetricReader({ exporter, metricProducers: [producer] });
 * ```
 *
 * Readers without it do not see the llm-otel call metrics (latency, tokens, errors, streaming
 * timings, GenAI histograms). Call `detach()` to go back to recording through the SDK.
 */
export function llmMetricProducer(options: LlmMetricProducerOptions = {}): LlmMetricProducer {
  const aggregator = new FastAggregator({ cardinalityLimit: options.cardinalityLimit });
  const llmMetrics = getLlmMetrics();
  llmMetrics.attachAggregator(aggregator);
  const resource = emptyResource();
  return {
    aggregator,
    detach: () => llmMetrics.detachAggregator(aggregator),
    collect: async (): Promise<CollectionResult> => {
      const endTime = hrTime(Date.now());
      const metrics: MetricData[] = [];
      for (const h of aggregator.histograms()) {
        const data = histogramData(h, endTime);
        if (data !== undefined) metrics.push(data);
      }
      for (const c of aggregator.counters()) {
        const data = counterData(c, endTime);
        if (data !== undefined) metrics.push(data);
      }
      return {
        resourceMetrics: {
          resource,
          scopeMetrics: metrics.length > 0 ? [{ scope: { name: METER_NAME, version: METER_VERSION }, metrics }] : [],
        },
        errors: [],
      };
    },
  };
}
