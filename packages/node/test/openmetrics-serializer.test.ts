import { ValueType } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { serializeOpenMetrics } from '../src/openmetrics.js';

const T: [number, number] = [1_700_000_000, 0];

function sum(name: string, isMonotonic: boolean, value: number, unit = ''): MetricData {
  return {
    descriptor: { name, description: `${name} help`, unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic,
    dataPoints: [{ attributes: { 'a.b': 'x' }, startTime: T, endTime: T, value }],
  };
}

function histogram(exemplars?: unknown[]): MetricData {
  return {
    descriptor: {
      name: 'lat_seconds',
      description: 'Latency "of" calls\nper model',
      unit: 's',
      valueType: ValueType.DOUBLE,
    },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      {
        attributes: { model: 'a"b\\c\nd' },
        startTime: T,
        endTime: T,
        value: { buckets: { boundaries: [0.5, 1], counts: [1, 2, 3] }, count: 6, sum: 7.5, min: 0.1, max: 3 },
        ...(exemplars ? { exemplars } : {}),
      },
    ],
  } as MetricData;
}

function resourceMetrics(scopes: Array<{ name: string; version?: string; metrics: MetricData[] }>): ResourceMetrics {
  return {
    resource: resourceFromAttributes({ 'service.name': 'svc' }),
    scopeMetrics: scopes.map(({ name, version, metrics }) => ({ scope: { name, version }, metrics })),
  };
}

describe('serializeOpenMetrics', () => {
  it('writes counters, gauges and histograms as OpenMetrics families, ending with # EOF', () => {
    const text = serializeOpenMetrics(
      resourceMetrics([
        {
          name: 's',
          version: '1',
          metrics: [sum('calls', true, 3), sum('bytes_total', true, 4), sum('queue', false, -2), histogram()],
        },
      ]),
    );
    expect(text).toBe(
      [
        '# TYPE target info',
        '# HELP target Target metadata',
        'target_info{service_name="svc"} 1',
        '# TYPE calls counter',
        '# HELP calls calls help',
        'calls_total{a_b="x",otel_scope_name="s",otel_scope_version="1"} 3',
        '# TYPE bytes counter',
        '# HELP bytes bytes_total help',
        'bytes_total{a_b="x",otel_scope_name="s",otel_scope_version="1"} 4',
        '# TYPE queue gauge',
        '# HELP queue queue help',
        'queue{a_b="x",otel_scope_name="s",otel_scope_version="1"} -2',
        '# TYPE lat_seconds histogram',
        '# UNIT lat_seconds seconds',
        '# HELP lat_seconds Latency \\"of\\" calls\\nper model',
        'lat_seconds_bucket{model="a\\"b\\\\c\\nd",otel_scope_name="s",otel_scope_version="1",le="0.5"} 1',
        'lat_seconds_bucket{model="a\\"b\\\\c\\nd",otel_scope_name="s",otel_scope_version="1",le="1"} 3',
        'lat_seconds_bucket{model="a\\"b\\\\c\\nd",otel_scope_name="s",otel_scope_version="1",le="+Inf"} 6',
        'lat_seconds_count{model="a\\"b\\\\c\\nd",otel_scope_name="s",otel_scope_version="1"} 6',
        'lat_seconds_sum{model="a\\"b\\\\c\\nd",otel_scope_name="s",otel_scope_version="1"} 7.5',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('gives the same series names as the classic format', () => {
    const input = resourceMetrics([
      { name: 's', metrics: [sum('calls', true, 3), sum('queue', false, 1), histogram()] },
    ]);
    const names = (text: string) =>
      new Set(
        text
          .split('\n')
          .filter((l) => l !== '' && !l.startsWith('#'))
          .map((l) => l.split(/[{ ]/)[0]),
      );
    expect(names(serializeOpenMetrics(input))).toEqual(names(new PrometheusSerializer().serialize(input)));
  });

  it('declares a unit only when the family name ends with it', () => {
    const text = serializeOpenMetrics(
      resourceMetrics([{ name: 's', metrics: [sum('wait', false, 1, 's'), sum('tokens', true, 1, '{token}')] }]),
    );
    expect(text).not.toContain('# UNIT');
  });

  it('writes a family reported by two scopes once, its series together', () => {
    const text = serializeOpenMetrics(
      resourceMetrics([
        { name: 'one', metrics: [sum('calls', true, 1)] },
        { name: 'two', metrics: [sum('other', false, 5), sum('calls', true, 2)] },
      ]),
    );
    const lines = text.split('\n');
    expect(lines.filter((l) => l === '# TYPE calls counter')).toHaveLength(1);
    const at = lines.indexOf('# TYPE calls counter');
    expect(lines.slice(at + 2, at + 4)).toEqual([
      'calls_total{a_b="x",otel_scope_name="one"} 1',
      'calls_total{a_b="x",otel_scope_name="two"} 2',
    ]);
  });

  it('puts well-formed exemplars on their buckets and drops malformed ones', () => {
    const good = {
      value: 0.4,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      timeMs: 1_700_000_000_123,
    };
    const bad = { value: 5, traceId: 'not-hex"}', spanId: 'b7ad6b7169203331', timeMs: 1 };
    const text = serializeOpenMetrics(resourceMetrics([{ name: 's', metrics: [histogram([good, undefined, bad])] }]));
    const buckets = text.split('\n').filter((l) => l.startsWith('lat_seconds_bucket'));
    expect(buckets[0]).toMatch(
      / 1 # \{trace_id="0af7651916cd43dd8448eb211c80319c",span_id="b7ad6b7169203331"\} 0\.4 1700000000\.123$/,
    );
    expect(buckets[1]).not.toContain('#');
    expect(buckets[2]).toMatch(/le="\+Inf"\} 6$/);
  });

  it('writes only target_info and # EOF without metrics', () => {
    expect(serializeOpenMetrics(resourceMetrics([]))).toBe(
      '# TYPE target info\n# HELP target Target metadata\ntarget_info{service_name="svc"} 1\n# EOF\n',
    );
  });
});
