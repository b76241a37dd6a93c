import { type Attributes, metrics } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

/** A reader that collects on demand (what an exporter would receive at its next export). */
class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** One histogram series: its attributes and summary. */
export interface HistogramSeries {
  attributes: Attributes;
  count: number;
  sum: number;
  min: number | undefined;
  max: number | undefined;
}

/** One counter series. */
export interface CounterSeries {
  attributes: Attributes;
  value: number;
}

function matches(attributes: Attributes, wanted: Attributes): boolean {
  return Object.entries(wanted).every(([key, value]) => attributes[key] === value);
}

/** What one collection returned, with lookups by instrument name and attribute subset. */
export class Collected {
  constructor(
    private readonly histograms: Map<string, HistogramSeries[]>,
    private readonly counters: Map<string, CounterSeries[]>,
  ) {}

  /** Histogram series of `name` whose attributes include `wanted`. */
  histogram(name: string, wanted: Attributes = {}): HistogramSeries[] {
    return (this.histograms.get(name) ?? []).filter((s) => matches(s.attributes, wanted));
  }

  /** Number of values recorded into histogram `name` over the matching series. */
  count(name: string, wanted: Attributes = {}): number {
    return this.histogram(name, wanted).reduce((n, s) => n + s.count, 0);
  }

  /** Sum of histogram `name` over the matching series. */
  sum(name: string, wanted: Attributes = {}): number {
    return this.histogram(name, wanted).reduce((n, s) => n + s.sum, 0);
  }

  /** Counter series of `name` whose attributes include `wanted`. */
  counterSeries(name: string, wanted: Attributes = {}): CounterSeries[] {
    return (this.counters.get(name) ?? []).filter((s) => matches(s.attributes, wanted));
  }

  /** Total of counter `name` over the matching series. */
  counter(name: string, wanted: Attributes = {}): number {
    return this.counterSeries(name, wanted).reduce((n, s) => n + s.value, 0);
  }
}

/**
 * An SDK MeterProvider with an on-demand reader, registered as the global provider (replacing the
 * previous one, so each test starts from zero). The llm-otel recording API follows the global
 * provider, so what the instrumentations record shows up here.
 */
export class TestMetrics {
  readonly reader = new CollectingReader();
  readonly provider = new MeterProvider({ readers: [this.reader] });

  static install(): TestMetrics {
    const testMetrics = new TestMetrics();
    metrics.disable();
    metrics.setGlobalMeterProvider(testMetrics.provider);
    return testMetrics;
  }

  async collect(): Promise<Collected> {
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) throw errors[0];
    const histograms = new Map<string, HistogramSeries[]>();
    const counters = new Map<string, CounterSeries[]>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        const name = metric.descriptor.name;
        if (metric.dataPointType === DataPointType.HISTOGRAM) {
          const list = histograms.get(name) ?? [];
          for (const point of metric.dataPoints) {
            list.push({
              attributes: point.attributes,
              count: point.value.count,
              sum: point.value.sum ?? 0,
              min: point.value.min,
              max: point.value.max,
            });
          }
          histograms.set(name, list);
        } else if (metric.dataPointType === DataPointType.SUM || metric.dataPointType === DataPointType.GAUGE) {
          // Sums and gauges both carry one number per series.
          const list = counters.get(name) ?? [];
          for (const point of metric.dataPoints) list.push({ attributes: point.attributes, value: point.value });
          counters.set(name, list);
        }
      }
    }
    return new Collected(histograms, counters);
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
    metrics.disable();
  }
}

/** Names of the llm-otel instruments the tests read. */
export const M = {
  latency: 'llm_inference_latency_seconds',
  tokens: 'llm_request_token_count',
  generated: 'llm_token_generation_rate_total',
  errors: 'llm_error_rate_total',
  ttft: 'llm_time_to_first_token_seconds',
  tpot: 'llm_time_per_output_token_seconds',
  internalErrors: 'llm_otel_internal_errors_total',
  quality: 'llm_response_quality_score',
  evaluations: 'llm_otel_evaluations_total',
  tokenDetail: 'llm_token_usage_detail_total',
  cost: 'llm_cost_usd_total',
  unpriced: 'llm_cost_unpriced_calls_total',
  invalidInput: 'llm_otel_invalid_input_total',
  rateLimitRemaining: 'llm_rate_limit_remaining',
  rateLimitLimit: 'llm_rate_limit_limit',
  rateLimitReset: 'llm_rate_limit_reset_seconds',
} as const;
