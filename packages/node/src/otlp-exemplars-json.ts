import type { BucketExemplar } from './exemplars.js';
import type { ExemplarPlan } from './otlp-exemplars.js';

/** The parts of an OTLP/JSON `ExportMetricsServiceRequest` this module walks. */
interface JsonRequest {
  resourceMetrics?: Array<{
    scopeMetrics?: Array<{ metrics?: Array<{ histogram?: { dataPoints?: Array<Record<string, unknown>> } }> }>;
  }>;
}

/** An exemplar as OTLP/JSON writes it: ids in hex (not base64, unlike other bytes), 64-bit times as strings. */
function jsonExemplar(e: BucketExemplar): Record<string, unknown> {
  return {
    timeUnixNano: `${Math.round(e.timeMs)}000000`,
    asDouble: e.value,
    spanId: e.spanId,
    traceId: e.traceId,
  };
}

/**
 * `encoded`, the SDK's OTLP/JSON request of one `ResourceMetrics`, with the exemplars of `plan`
 * set on their histogram data points. Throws when a planned data point is not in the request.
 */
export function addExemplarsToJson(encoded: Uint8Array, plan: ExemplarPlan): Uint8Array {
  const request = JSON.parse(new TextDecoder().decode(encoded)) as JsonRequest;
  const scopes = request.resourceMetrics?.[0]?.scopeMetrics;
  for (const [s, metrics] of plan) {
    for (const [m, points] of metrics) {
      for (const [p, exemplars] of points) {
        const point = scopes?.[s]?.metrics?.[m]?.histogram?.dataPoints?.[p];
        if (point === undefined) throw new Error(`histogram data point ${s}/${m}/${p} not in the OTLP/JSON request`);
        point.exemplars = exemplars.map(jsonExemplar);
      }
    }
  }
  return new TextEncoder().encode(JSON.stringify(request));
}
