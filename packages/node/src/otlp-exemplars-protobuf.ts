import type { BucketExemplar } from './exemplars.js';
import type { ExemplarPlan } from './otlp-exemplars.js';

// Field numbers of the OTLP protobuf messages (opentelemetry/proto/metrics/v1/metrics.proto and
// collector/metrics/v1/metrics_service.proto) on the way to a histogram data point's exemplars.
const REQUEST_RESOURCE_METRICS = 1;
const RESOURCE_METRICS_SCOPE_METRICS = 2;
const SCOPE_METRICS_METRICS = 2;
const METRIC_HISTOGRAM = 9;
const HISTOGRAM_DATA_POINTS = 1;
const HISTOGRAM_DATA_POINT_EXEMPLARS = 8;
// Exemplar: time_unix_nano 2 (fixed64), as_double 3 (double), span_id 4 (bytes), trace_id 5 (bytes).
const EXEMPLAR_TIME = 2;
const EXEMPLAR_AS_DOUBLE = 3;
const EXEMPLAR_SPAN_ID = 4;
const EXEMPLAR_TRACE_ID = 5;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** A varint at `pos` of `buf`: its value and the position after it. */
function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const byte = buf[pos + i];
    if (byte === undefined) throw new Error('truncated varint in the OTLP request');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos + i + 1];
    scale *= 128;
  }
  throw new Error('varint longer than 10 bytes in the OTLP request');
}

function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

function tag(field: number, wireType: number): number {
  return field * 8 + wireType;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Rewrites the length-delimited fields of one message for which `replace(field, occurrence,
 * content)` returns new content (`occurrence` counts the field's earlier entries), re-encoding
 * their lengths; every other byte is copied as it is.
 */
function rewriteMessage(
  message: Uint8Array,
  replace: (field: number, occurrence: number, content: Uint8Array) => Uint8Array | undefined,
): Uint8Array {
  const parts: Uint8Array[] = [];
  const occurrences = new Map<number, number>();
  let copiedUpTo = 0;
  let pos = 0;
  while (pos < message.length) {
    const fieldStart = pos;
    const [key, afterKey] = readVarint(message, pos);
    const field = Math.floor(key / 8);
    pos = afterKey;
    switch (key % 8) {
      case WIRE_VARINT:
        pos = readVarint(message, pos)[1];
        break;
      case WIRE_FIXED64:
        pos += 8;
        break;
      case WIRE_FIXED32:
        pos += 4;
        break;
      case WIRE_LENGTH_DELIMITED: {
        const [length, contentStart] = readVarint(message, pos);
        pos = contentStart + length;
        if (pos > message.length) break;
        const occurrence = occurrences.get(field) ?? 0;
        occurrences.set(field, occurrence + 1);
        const content = replace(field, occurrence, message.subarray(contentStart, pos));
        if (content === undefined) break;
        parts.push(message.subarray(copiedUpTo, fieldStart), message.subarray(fieldStart, afterKey));
        parts.push(varint(content.length), content);
        copiedUpTo = pos;
        break;
      }
      default:
        throw new Error(`unexpected wire type ${key % 8} in the OTLP request`);
    }
    if (pos > message.length) throw new Error('truncated field in the OTLP request');
  }
  parts.push(message.subarray(copiedUpTo));
  return concat(parts);
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** One `HistogramDataPoint.exemplars` entry: the field's key and length, then the Exemplar message. */
function exemplarField(e: BucketExemplar): Uint8Array {
  const message = new Uint8Array(9 + 9 + 10 + 18);
  const view = new DataView(message.buffer);
  message[0] = tag(EXEMPLAR_TIME, WIRE_FIXED64);
  view.setBigUint64(1, BigInt(Math.round(e.timeMs)) * BigInt(1_000_000), true);
  message[9] = tag(EXEMPLAR_AS_DOUBLE, WIRE_FIXED64);
  view.setFloat64(10, e.value, true);
  message[18] = tag(EXEMPLAR_SPAN_ID, WIRE_LENGTH_DELIMITED);
  message[19] = 8;
  message.set(hexBytes(e.spanId), 20);
  message[28] = tag(EXEMPLAR_TRACE_ID, WIRE_LENGTH_DELIMITED);
  message[29] = 16;
  message.set(hexBytes(e.traceId), 30);
  return concat([varint(tag(HISTOGRAM_DATA_POINT_EXEMPLARS, WIRE_LENGTH_DELIMITED)), varint(message.length), message]);
}

/**
 * `encoded`, the SDK's protobuf `ExportMetricsServiceRequest` of one `ResourceMetrics`, with the
 * exemplars of `plan` appended to their `HistogramDataPoint` messages (protobuf fields may come in
 * any order) and the lengths of the messages around them re-encoded. Nothing else changes.
 */
export function spliceExemplarsIntoProtobuf(encoded: Uint8Array, plan: ExemplarPlan): Uint8Array {
  let spliced = 0;
  const out = rewriteMessage(encoded, (field, r, resourceMetrics) => {
    if (field !== REQUEST_RESOURCE_METRICS || r !== 0) return undefined;
    return rewriteMessage(resourceMetrics, (field, s, scopeMetrics) => {
      const metrics = plan.get(s);
      if (field !== RESOURCE_METRICS_SCOPE_METRICS || metrics === undefined) return undefined;
      return rewriteMessage(scopeMetrics, (field, m, metric) => {
        const points = metrics.get(m);
        if (field !== SCOPE_METRICS_METRICS || points === undefined) return undefined;
        return rewriteMessage(metric, (field, _, histogram) => {
          if (field !== METRIC_HISTOGRAM) return undefined;
          return rewriteMessage(histogram, (field, p, point) => {
            const exemplars = points.get(p);
            if (field !== HISTOGRAM_DATA_POINTS || exemplars === undefined) return undefined;
            spliced += 1;
            return concat([point, ...exemplars.map(exemplarField)]);
          });
        });
      });
    });
  });
  let planned = 0;
  for (const metrics of plan.values()) for (const points of metrics.values()) planned += points.size;
  if (spliced !== planned) throw new Error(`${planned - spliced} histogram data points not found in the OTLP request`);
  return out;
}
