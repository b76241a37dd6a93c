import { getLlmMetrics } from '@llm-otel/core';
import type { HrTime } from '@opentelemetry/api';
import type { ISerializer } from '@opentelemetry/otlp-transformer';
import { DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { type BucketExemplar, EXEMPLARS_PROPERTY, type HistogramPointWithExemplars } from './exemplars.js';
import { addExemplarsToJson } from './otlp-exemplars-json.js';
import { spliceExemplarsIntoProtobuf } from './otlp-exemplars-protobuf.js';

/**
 * The exemplars of one export, by position in its `ResourceMetrics`: scope index, then metric index
 * in the scope, then data point index in the histogram. The SDK's serializers write scopes, metrics
 * and data points in that order, so the positions find the same data points in their output.
 */
export type ExemplarPlan = Map<number, Map<number, Map<number, BucketExemplar[]>>>;

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** A span context's ids as OTLP takes them: lowercase hex, not all zero (an invalid context). */
function hasValidIds(e: BucketExemplar): boolean {
  return (
    HEX_TRACE_ID.test(e.traceId) &&
    HEX_SPAN_ID.test(e.spanId) &&
    e.traceId !== ZERO_TRACE_ID &&
    e.spanId !== ZERO_SPAN_ID &&
    Number.isFinite(e.value) &&
    Number.isFinite(e.timeMs)
  );
}

/** Unix milliseconds of an `HrTime`. */
function milliseconds(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}

/**
 * Where `request` carries exemplars: the histogram data points the llm-otel producer gave some
 * (the latency histogram's, at most one per bucket), `undefined` when none has. An exemplar older
 * than its data point's start is left out: with delta temporality, a bucket's kept call may be
 * from an earlier interval (this interval's calls in it were not sampled).
 */
export function exemplarPlan(request: ResourceMetrics): ExemplarPlan | undefined {
  let plan: ExemplarPlan | undefined;
  request.scopeMetrics.forEach((scope, s) => {
    scope.metrics.forEach((metric, m) => {
      if (metric.dataPointType !== DataPointType.HISTOGRAM) return;
      metric.dataPoints.forEach((point, p) => {
        const slots = (point as HistogramPointWithExemplars)[EXEMPLARS_PROPERTY];
        if (slots === undefined) return;
        const startMs = milliseconds(point.startTime);
        const kept = slots.filter(
          (e): e is BucketExemplar => e !== undefined && hasValidIds(e) && e.timeMs >= Math.floor(startMs),
        );
        if (kept.length === 0) return;
        plan ??= new Map();
        let metrics = plan.get(s);
        if (metrics === undefined) plan.set(s, (metrics = new Map()));
        let points = metrics.get(m);
        if (points === undefined) metrics.set(m, (points = new Map()));
        points.set(p, kept);
      });
    });
  });
  return plan;
}

/** The OTLP encodings the SDK's metric serializers write. */
export type OtlpEncoding = 'protobuf' | 'json';

/**
 * The SDK's OTLP metrics serializer `serializer` (`ProtobufMetricsSerializer` or
 * `JsonMetricsSerializer` of `@opentelemetry/otlp-transformer`), with the exemplars of the latency
 * histogram added to its output: the SDK's data points have none, so its serializers never write
 * `HistogramDataPoint.exemplars`. Without exemplars the SDK's output goes out unchanged; if adding
 * them fails, the SDK's output goes out without them and the failure is counted
 * (`llm_otel_internal_errors_total{llm_otel_component="otlpExemplars"}`) and logged once.
 */
export function withLatencyExemplars<Response>(
  serializer: ISerializer<ResourceMetrics, Response>,
  encoding: OtlpEncoding,
): ISerializer<ResourceMetrics, Response> {
  return {
    serializeRequest(request: ResourceMetrics): Uint8Array | undefined {
      const encoded = serializer.serializeRequest(request);
      if (encoded === undefined) return encoded;
      try {
        const plan = exemplarPlan(request);
        if (plan === undefined) return encoded;
        return encoding === 'json' ? addExemplarsToJson(encoded, plan) : spliceExemplarsIntoProtobuf(encoded, plan);
      } catch (error) {
        getLlmMetrics().reportInternalError('otlpExemplars', error);
        return encoded;
      }
    },
    deserializeResponse: (data: Uint8Array): Response => serializer.deserializeResponse(data),
  };
}
