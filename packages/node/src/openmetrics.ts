import { diag } from '@opentelemetry/api';
import {
  type DataPoint,
  DataPointType,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { type BucketExemplar, EXEMPLARS_PROPERTY, type HistogramPointWithExemplars } from './exemplars.js';

/** The content type of an OpenMetrics 1.0 exposition. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

// Series names and labels are the ones the exporter's classic text format gives (its defaults: no
// prefix, scope labels, target_info), so a series keeps its name whichever format Prometheus asks for.
const SCOPE_NAME_LABEL = 'otel_scope_name';
const SCOPE_VERSION_LABEL = 'otel_scope_version';
const SCOPE_SCHEMA_URL_LABEL = 'otel_scope_schema_url';

/** OpenTelemetry units whose Prometheus word may be declared with `# UNIT` (when the name ends with it). */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  '1': 'ratio',
};

const INVALID_NAME_CHARACTERS = /[^a-z0-9_]/gi;
const REPEATED_UNDERSCORES = /_{2,}/g;
const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;

/** As the Prometheus exporter sanitizes metric and label names. */
function sanitizeName(name: string): string {
  return name.replace(INVALID_NAME_CHARACTERS, '_').replace(REPEATED_UNDERSCORES, '_');
}

function labelName(key: string): string {
  const name = sanitizeName(key);
  return name[0] !== undefined && name[0] >= '0' && name[0] <= '9' ? `_${name}` : name;
}

/** A label value: non-strings as JSON (as the classic format), escaped for OpenMetrics. */
function labelValue(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return escape(text ?? '');
}

/** Backslash, double quote and line feed escaped (label values and HELP text). */
function escape(text: string): string {
  return text.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function numberText(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

type FamilyType = 'counter' | 'gauge' | 'histogram';

/** One metric family: all its series are written together (OpenMetrics forbids interleaving). */
interface Family {
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
  readonly unit: string | undefined;
  readonly lines: string[];
}

/**
 * The family name and type of `metric`, or `undefined` for a kind OpenMetrics text cannot carry here
 * (exponential histograms, which the classic format does not export either).
 */
function familyOf(metric: MetricData): { name: string; type: FamilyType; sampleName: string } | undefined {
  let name = sanitizeName(metric.descriptor.name);
  if (name === '' || name === '_') return undefined;
  if (name[0] !== undefined && name[0] >= '0' && name[0] <= '9') name = `_${name}`;
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      if (!metric.isMonotonic) return { name, type: 'gauge', sampleName: name };
      // The classic format names the series `<name>_total`; the OpenMetrics family drops the suffix.
      if (name.endsWith('_total')) return { name: name.slice(0, -'_total'.length), type: 'counter', sampleName: name };
      return { name, type: 'counter', sampleName: `${name}_total` };
    case DataPointType.GAUGE:
      return { name, type: 'gauge', sampleName: name };
    case DataPointType.HISTOGRAM:
      return { name, type: 'histogram', sampleName: name };
    default:
      return undefined;
  }
}

/** `# UNIT` only where OpenMetrics allows it: a known unit whose word ends the family name. */
function unitOf(familyName: string, unit: string): string | undefined {
  const word = UNIT_WORDS[unit];
  return word !== undefined && familyName.endsWith(`_${word}`) ? word : undefined;
}

function labelsText(attributes: Readonly<Record<string, unknown>>, extra: string): string {
  let text = '';
  for (const key of Object.keys(attributes)) {
    text += `${text === '' ? '' : ','}${labelName(key)}="${labelValue(attributes[key])}"`;
  }
  if (extra !== '') text += `${text === '' ? '' : ','}${extra}`;
  return text;
}

function sample(name: string, labels: string, value: number, exemplar = ''): string {
  return `${labels === '' ? name : `${name}{${labels}}`} ${numberText(value)}${exemplar}`;
}

/** ` # {trace_id="…",span_id="…"} value timestamp`, or '' when the ids are not well-formed. */
function exemplarText(exemplar: BucketExemplar | undefined): string {
  if (exemplar === undefined) return '';
  const { traceId, spanId, value, timeMs } = exemplar;
  if (!HEX_TRACE_ID.test(traceId) || !HEX_SPAN_ID.test(spanId) || !Number.isFinite(value)) return '';
  return ` # {trace_id="${traceId}",span_id="${spanId}"} ${numberText(value)} ${(timeMs / 1000).toFixed(3)}`;
}

function histogramLines(lines: string[], name: string, labels: string, point: HistogramPointWithExemplars): void {
  const { buckets, count, sum } = (point as DataPoint<Histogram>).value;
  const exemplars = point[EXEMPLARS_PROPERTY];
  const sep = labels === '' ? '' : ',';
  let cumulative = 0;
  let i = 0;
  for (; i < buckets.counts.length; i++) {
    const bound = buckets.boundaries[i];
    // The last bucket is unbounded (some aggregators also list Infinity as a boundary).
    if (bound === undefined || bound === Number.POSITIVE_INFINITY) break;
    cumulative += buckets.counts[i] ?? 0;
    const le = `${labels}${sep}le="${numberText(bound)}"`;
    lines.push(sample(`${name}_bucket`, le, cumulative, exemplarText(exemplars?.[i])));
  }
  // `_count` must equal the +Inf bucket.
  lines.push(sample(`${name}_bucket`, `${labels}${sep}le="+Inf"`, count, exemplarText(exemplars?.[i])));
  lines.push(sample(`${name}_count`, labels, count));
  if (sum !== undefined) lines.push(sample(`${name}_sum`, labels, sum));
}

/**
 * An OpenMetrics 1.0 text exposition of `resourceMetrics`, with the series names and labels of the
 * Prometheus exporter's classic text format: `target_info` (an info family), counters as
 * `<name>_total` in family `<name>`, gauges (and non-monotonic sums), explicit-bucket histograms
 * with their `le` buckets, `_count` and `_sum`, the exemplars the llm-otel producer attached to
 * latency buckets, and `# EOF`. A family seen in several scopes is written once.
 */
export function serializeOpenMetrics(resourceMetrics: ResourceMetrics): string {
  const out: string[] = [];
  const resourceLabels = labelsText(resourceMetrics.resource.attributes, '');
  out.push('# TYPE target info', '# HELP target Target metadata', sample('target_info', resourceLabels, 1));
  const families = new Map<string, Family>();
  for (const { scope, metrics } of resourceMetrics.scopeMetrics) {
    let scopeLabels = `${SCOPE_NAME_LABEL}="${labelValue(scope.name)}"`;
    if (scope.schemaUrl) scopeLabels += `,${SCOPE_SCHEMA_URL_LABEL}="${labelValue(scope.schemaUrl)}"`;
    if (scope.version) scopeLabels += `,${SCOPE_VERSION_LABEL}="${labelValue(scope.version)}"`;
    for (const metric of metrics) {
      const kind = familyOf(metric);
      if (kind === undefined) {
        diag.debug(`OpenMetrics exposition: metric ${metric.descriptor.name} of this kind is not exported`);
        continue;
      }
      let family = families.get(kind.name);
      if (family === undefined) {
        family = {
          name: kind.name,
          type: kind.type,
          help: metric.descriptor.description || 'description missing',
          unit: unitOf(kind.name, metric.descriptor.unit),
          lines: [],
        };
        families.set(kind.name, family);
      } else if (family.type !== kind.type) {
        diag.warn(`OpenMetrics exposition: metric ${kind.name} has two types; the ${kind.type} one is left out`);
        continue;
      }
      for (const point of metric.dataPoints) {
        const labels = labelsText(point.attributes, scopeLabels);
        if (metric.dataPointType === DataPointType.HISTOGRAM)
          histogramLines(family.lines, kind.sampleName, labels, point as HistogramPointWithExemplars);
        else family.lines.push(sample(kind.sampleName, labels, point.value as number));
      }
    }
  }
  for (const family of families.values()) {
    out.push(`# TYPE ${family.name} ${family.type}`);
    if (family.unit !== undefined) out.push(`# UNIT ${family.name} ${family.unit}`);
    out.push(`# HELP ${family.name} ${escape(family.help)}`);
    for (const line of family.lines) out.push(line);
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}
