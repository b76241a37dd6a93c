/**
 * A captured OTLP metrics export (ExportMetricsServiceRequest, protobuf, as an SDK sent it) turned
 * into a template the load generator can replay cheaply: the byte offsets of every data point's
 * timestamps (fixed64 fields, rewritten in place) and of the `service.instance.id` value (rewritten
 * in place with an id of the same length), so each replay is a copy of the SDK's bytes with a new
 * instance and a new time, and no re-encoding.
 *
 * Only the protobuf wire format is read here (no generated code): the walk follows the fields of
 * opentelemetry/proto/metrics/v1 that hold data points, and skips everything else.
 */

/** The instance id the captured export carries; replays put ids of the same length there. */
export const PLACEHOLDER_INSTANCE = 'capacity-instance-0000000';

/** A replay instance id (same length as {@link PLACEHOLDER_INSTANCE}). */
export function replayInstanceId(n: number): string {
  return `capacity-instance-${String(n).padStart(7, '0')}`;
}

/** Kinds of OTLP metric data. */
export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

/** What one metric of the template holds. */
export interface TemplateMetric {
  name: string;
  kind: MetricKind;
  /** Data points (one per series of the metric, in an SDK's cumulative export). */
  points: number;
  /**
   * Samples these points become in a Prometheus-style store: 1 per number point; per histogram
   * point one `_bucket` per bucket (the `+Inf` one included), `_sum` and `_count`.
   */
  samples: number;
}

/** A parsed export, ready to replay (see {@link instanceExport}). */
export interface ExportTemplate {
  body: Buffer;
  /** Offsets of the start_time_unix_nano fields (fixed64, little-endian). */
  startTimeOffsets: number[];
  /** Offsets of the time_unix_nano fields of data points and exemplars. */
  timeOffsets: number[];
  /** Where the `service.instance.id` string value starts, and its byte length. */
  instanceIdOffset: number;
  instanceIdLength: number;
  metrics: TemplateMetric[];
  /** Data points in the whole export. */
  points: number;
  /** Store samples of the whole export (see {@link TemplateMetric.samples}). */
  samples: number;
}

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

/** One field of a protobuf message: its number, wire type and where its value is. */
interface Field {
  number: number;
  wireType: number;
  /** Offset of the value (for LEN fields: of the bytes after the length). */
  offset: number;
  /** Byte length of the value (LEN: the declared length; fixed64: 8; fixed32: 4; varint: its bytes). */
  length: number;
}

function readVarint(buf: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    if (i >= buf.length) throw new Error(`truncated varint at byte ${at}`);
    const b = buf[i++] as number;
    // Lengths and tags fit in 53 bits; multiplication keeps it exact past 32 bits.
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return { value, next: i };
    shift += 7;
    if (shift > 63) throw new Error(`varint longer than 10 bytes at byte ${at}`);
  }
}

/** The fields of the message in buf[start, end). */
function* fields(buf: Buffer, start: number, end: number): Generator<Field> {
  let at = start;
  while (at < end) {
    const tag = readVarint(buf, at);
    const number = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    at = tag.next;
    if (wireType === VARINT) {
      const v = readVarint(buf, at);
      yield { number, wireType, offset: at, length: v.next - at };
      at = v.next;
    } else if (wireType === FIXED64) {
      yield { number, wireType, offset: at, length: 8 };
      at += 8;
    } else if (wireType === LEN) {
      const len = readVarint(buf, at);
      yield { number, wireType, offset: len.next, length: len.value };
      at = len.next + len.value;
    } else if (wireType === FIXED32) {
      yield { number, wireType, offset: at, length: 4 };
      at += 4;
    } else {
      throw new Error(`unsupported wire type ${wireType} at byte ${at}`);
    }
    if (at > end) throw new Error(`field ${number} runs past its message (byte ${at} > ${end})`);
  }
}

/** Sub-messages of `field` in the message buf[start, end). */
function* children(buf: Buffer, start: number, end: number, field: number): Generator<Field> {
  for (const f of fields(buf, start, end)) if (f.number === field && f.wireType === LEN) yield f;
}

const KIND_OF_FIELD: Record<number, MetricKind> = {
  5: 'gauge',
  7: 'sum',
  9: 'histogram',
  10: 'exponential_histogram',
  11: 'summary',
};

/** Exemplar field of each data point kind (they carry a time_unix_nano, field 2, too). */
const EXEMPLAR_FIELD: Partial<Record<MetricKind, number>> = {
  gauge: 5,
  sum: 5,
  histogram: 8,
  exponential_histogram: 11,
};

/**
 * Reads an ExportMetricsServiceRequest with ONE resource whose `service.instance.id` is
 * `placeholderId`. Throws when the bytes are not such a request.
 */
export function parseExportTemplate(body: Buffer, placeholderId: string): ExportTemplate {
  const template: ExportTemplate = {
    body,
    startTimeOffsets: [],
    timeOffsets: [],
    instanceIdOffset: -1,
    instanceIdLength: 0,
    metrics: [],
    points: 0,
    samples: 0,
  };
  const resources = [...children(body, 0, body.length, 1)];
  if (resources.length !== 1) throw new Error(`expected one resource in the export, found ${resources.length}`);
  const rm = resources[0] as Field;
  const rmEnd = rm.offset + rm.length;
  for (const resource of children(body, rm.offset, rmEnd, 1)) {
    for (const kv of children(body, resource.offset, resource.offset + resource.length, 1)) {
      let key = '';
      let value: Field | undefined;
      for (const f of fields(body, kv.offset, kv.offset + kv.length)) {
        if (f.number === 1 && f.wireType === LEN) key = body.toString('utf8', f.offset, f.offset + f.length);
        if (f.number === 2 && f.wireType === LEN) value = [...children(body, f.offset, f.offset + f.length, 1)][0]; // AnyValue.string_value
      }
      if (key !== 'service.instance.id' || value === undefined) continue;
      const id = body.toString('utf8', value.offset, value.offset + value.length);
      if (id !== placeholderId) throw new Error(`service.instance.id is ${id}, expected ${placeholderId}`);
      template.instanceIdOffset = value.offset;
      template.instanceIdLength = value.length;
    }
  }
  if (template.instanceIdOffset < 0) throw new Error('the export has no service.instance.id');

  for (const scope of children(body, rm.offset, rmEnd, 2)) {
    for (const metric of children(body, scope.offset, scope.offset + scope.length, 2)) {
      let name = '';
      for (const f of fields(body, metric.offset, metric.offset + metric.length)) {
        if (f.number === 1 && f.wireType === LEN) {
          name = body.toString('utf8', f.offset, f.offset + f.length);
          continue;
        }
        const kind = KIND_OF_FIELD[f.number];
        if (kind === undefined || f.wireType !== LEN) continue;
        const entry: TemplateMetric = { name, kind, points: 0, samples: 0 };
        for (const point of children(body, f.offset, f.offset + f.length, 1)) {
          entry.points++;
          entry.samples += readPoint(body, point, kind, template);
        }
        template.metrics.push(entry);
      }
    }
  }
  template.points = template.metrics.reduce((n, m) => n + m.points, 0);
  template.samples = template.metrics.reduce((n, m) => n + m.samples, 0);
  if (template.points === 0) throw new Error('the export has no data points');
  return template;
}

/** Records a data point's timestamp offsets; returns the store samples it becomes. */
function readPoint(body: Buffer, point: Field, kind: MetricKind, template: ExportTemplate): number {
  let buckets = 0;
  let quantiles = 0;
  const end = point.offset + point.length;
  for (const f of fields(body, point.offset, end)) {
    if (f.wireType === FIXED64 && f.number === 2) template.startTimeOffsets.push(f.offset);
    else if (f.wireType === FIXED64 && f.number === 3) template.timeOffsets.push(f.offset);
    else if (kind === 'histogram' && f.number === 6) buckets += f.wireType === LEN ? f.length / 8 : 1;
    else if (kind === 'summary' && f.number === 6) quantiles++;
    else if (f.wireType === LEN && f.number === EXEMPLAR_FIELD[kind]) {
      for (const e of fields(body, f.offset, f.offset + f.length))
        if (e.number === 2 && e.wireType === FIXED64) template.timeOffsets.push(e.offset);
    }
  }
  if (kind === 'histogram') return buckets + 2;
  if (kind === 'summary') return quantiles + 2;
  // Exponential histograms are not sent by the SDK's default views; counted as one sample.
  return 1;
}

/**
 * The template's bytes for instance `instanceId` (exactly as long as the placeholder) at
 * `timeNs`, with every start time at `startNs`: a new buffer, the template untouched.
 */
export function instanceExport(template: ExportTemplate, instanceId: string, startNs: bigint, timeNs: bigint): Buffer {
  if (Buffer.byteLength(instanceId) !== template.instanceIdLength)
    throw new Error(`instance id ${instanceId} must be ${template.instanceIdLength} bytes long`);
  const out = Buffer.from(template.body);
  out.write(instanceId, template.instanceIdOffset, 'utf8');
  for (const at of template.startTimeOffsets) out.writeBigUInt64LE(startNs, at);
  for (const at of template.timeOffsets) out.writeBigUInt64LE(timeNs, at);
  return out;
}
