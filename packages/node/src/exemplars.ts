import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';

/**
 * A sampled call attached to a histogram bucket: its value and the ids of its span (an OpenMetrics
 * exemplar). The OpenTelemetry JS SDK has no exemplars on its data points, so the llm-otel
 * MetricProducer adds them to its latency data points under {@link EXEMPLARS_PROPERTY}: the
 * OpenMetrics exposition of the Prometheus endpoint reads them, other exporters ignore them.
 */
export interface BucketExemplar {
  readonly value: number;
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  /** Unix time in milliseconds of the call's record. */
  readonly timeMs: number;
}

/** The property of a histogram data point holding its exemplars, one slot per bucket. */
export const EXEMPLARS_PROPERTY = 'exemplars';

/** A histogram data point that may carry one exemplar per bucket (same index as `buckets.counts`). */
export type HistogramPointWithExemplars = DataPoint<Histogram> & {
  readonly [EXEMPLARS_PROPERTY]?: ReadonlyArray<BucketExemplar | undefined>;
};

/**
 * A snapshot of `kept` (the aggregator mutates its exemplars in place), keeping only buckets where
 * `counts` says calls were recorded; `undefined` when none is left.
 */
export function exemplarSnapshot(
  kept: ReadonlyArray<BucketExemplar | undefined> | undefined,
  counts: readonly number[],
): Array<BucketExemplar | undefined> | undefined {
  if (kept === undefined) return undefined;
  let any = false;
  const copy = new Array<BucketExemplar | undefined>(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const e = kept[i];
    if (e === undefined || !((counts[i] ?? 0) > 0)) continue;
    copy[i] = { value: e.value, traceId: e.traceId, spanId: e.spanId, timeMs: e.timeMs };
    any = true;
  }
  return any ? copy : undefined;
}
