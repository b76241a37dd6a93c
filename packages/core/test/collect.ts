import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';

/** A pull reader the tests collect from directly. */
export class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Installs a global MeterProvider with a TestReader; returns both. */
export function installProvider(): { provider: MeterProvider; reader: TestReader } {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.disable();
  metrics.setGlobalMeterProvider(provider);
  return { provider, reader };
}

/** Collects and returns every metric by name. */
export async function collectByName(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new Error(`collection errors: ${errors.join(', ')}`);
  const out = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) out.set(m.descriptor.name, m);
  return out;
}

/** The data points of a metric whose attributes include `match`. */
export function pointsWith<T>(metric: MetricData | undefined, match: Record<string, unknown>): DataPoint<T>[] {
  if (metric === undefined) return [];
  return (metric.dataPoints as DataPoint<T>[]).filter((p) =>
    Object.entries(match).every(([k, v]) => p.attributes[k] === v),
  );
}

/** Sum of a counter's points matching `match`. */
export function counterValue(metric: MetricData | undefined, match: Record<string, unknown> = {}): number {
  return pointsWith<number>(metric, match).reduce((s, p) => s + p.value, 0);
}

/** The single histogram point matching `match`. */
export function histogramPoint(metric: MetricData | undefined, match: Record<string, unknown> = {}): Histogram {
  const points = pointsWith<Histogram>(metric, match);
  if (points.length !== 1)
    throw new Error(`expected one histogram point for ${JSON.stringify(match)}, got ${points.length}`);
  return (points[0] as DataPoint<Histogram>).value;
}
