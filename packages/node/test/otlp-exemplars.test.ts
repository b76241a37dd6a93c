/**
 * The OTLP metrics serializers with latency exemplars (src/otlp-exemplars*.ts): the SDK's protobuf
 * and JSON output with `HistogramDataPoint.exemplars` added for the sampled calls the producer kept.
 * Real data (the SDK's instruments and llmMetricProducer's latency histogram, spans from a real
 * TracerProvider), decoded with protobufjs from a subset of the OTLP protos, and sent through
 * LazyOtlpExporter to a local HTTP receiver.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { getLlmMetrics, type InferenceRecord } from '@llm-otel/core';
import { metrics, trace } from '@opentelemetry/api';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality, type MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../src/config.js';
import { type LlmMetricProducer, llmMetricProducer } from '../src/index.js';
import { LazyOtlpExporter } from '../src/lazy-otlp-exporter.js';
import { withLatencyExemplars } from '../src/otlp-exemplars.js';
import { collectByName, installProvider, pointsWith } from './collect-metrics.js';

const LATENCY = 'llm_inference_latency_seconds';
const proto = readFileSync(new URL('./fixtures/otlp-metrics-subset.proto', import.meta.url), 'utf8');
const RequestType = protobuf.parse(proto).root.lookupType('otlp.ExportMetricsServiceRequest');

interface DecodedExemplar {
  timeUnixNano: string;
  asDouble: number;
  spanId: string;
  traceId: string;
}
interface DecodedPoint {
  attributes?: Array<{ key: string; value: { stringValue?: string } }>;
  count: string;
  bucketCounts: string[];
  explicitBounds: number[];
  exemplars?: DecodedExemplar[];
}
interface DecodedRequest {
  resourceMetrics: Array<{
    scopeMetrics: Array<{ metrics: Array<{ name: string; histogram?: { dataPoints: DecodedPoint[] } }> }>;
  }>;
}

/** protobufjs' view of an OTLP protobuf request: 64-bit numbers as strings, bytes in hex. */
function decodeProtobuf(bytes: Uint8Array): DecodedRequest {
  const request = RequestType.toObject(RequestType.decode(bytes), { longs: String, bytes: String }) as DecodedRequest;
  for (const point of latencyPoints(request))
    for (const e of point.exemplars ?? []) {
      e.spanId = Buffer.from(e.spanId, 'base64').toString('hex');
      e.traceId = Buffer.from(e.traceId, 'base64').toString('hex');
    }
  return request;
}

function latencyPoints(request: DecodedRequest): DecodedPoint[] {
  return request.resourceMetrics
    .flatMap((r) => r.scopeMetrics)
    .flatMap((s) => s.metrics)
    .filter((m) => m.name === LATENCY)
    .flatMap((m) => m.histogram?.dataPoints ?? []);
}

/** `request` without the exemplars (the one thing the serializer adds). */
function withoutExemplars<T>(request: T): T {
  return JSON.parse(JSON.stringify(request, (key, value) => (key === 'exemplars' ? undefined : value))) as T;
}

const CALLS: InferenceRecord[] = [
  { provider: 'openai', operation: 'chat', model: 'gpt-4o-mini', durationSeconds: 0.3 },
  { provider: 'openai', operation: 'chat', model: 'gpt-4o-mini', durationSeconds: 2.5 },
  { provider: 'openai', operation: 'chat', model: 'gpt-4o', durationSeconds: 0.3 },
  { provider: 'openai', operation: 'chat', model: 'gpt-4o', durationSeconds: 7, error: new Error('timeout') },
];

let producer: LlmMetricProducer | undefined;
let reader: MetricReader;
const spans = new InMemorySpanExporter();

beforeEach(() => {
  ({ reader } = installProvider());
});

afterEach(() => {
  producer?.detach();
  producer = undefined;
  trace.disable();
  metrics.disable();
  spans.reset();
});

/**
 * One export's ResourceMetrics: the app's own SDK instruments (a counter and a histogram, no
 * exemplars) in the first scope, then the llm-otel producer's scope, after `CALLS` (with spans
 * when `traced`).
 */
async function exportData(traced: boolean): Promise<ResourceMetrics> {
  if (traced)
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  producer = llmMetricProducer();
  for (const call of CALLS) getLlmMetrics().recordInference(call);
  const meter = metrics.getMeter('app');
  meter.createCounter('app_requests_total').add(2);
  meter.createHistogram('app_size').record(3);
  const sdk = (await reader.collect()).resourceMetrics;
  const ours = (await producer.collect()).resourceMetrics;
  return { resource: sdk.resource, scopeMetrics: [...sdk.scopeMetrics, ...ours.scopeMetrics] };
}

/** Each exemplar is the call of one finished span, in a bucket of its data point that has calls. */
function expectExemplarsOfCalls(points: DecodedPoint[], startMs: number): void {
  const finished = spans.getFinishedSpans();
  expect(finished).toHaveLength(CALLS.length);
  const seen: string[] = [];
  for (const point of points) {
    for (const e of point.exemplars ?? []) {
      const index = finished.findIndex((s) => s.spanContext().spanId === e.spanId);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(e.traceId).toBe(finished[index]?.spanContext().traceId);
      expect(e.asDouble).toBe(CALLS[index]?.durationSeconds);
      const bucket = point.explicitBounds.findIndex((bound) => e.asDouble <= bound);
      expect(Number(point.bucketCounts[bucket === -1 ? point.explicitBounds.length : bucket])).toBeGreaterThan(0);
      const timeMs = Number(BigInt(e.timeUnixNano) / 1_000_000n);
      expect(timeMs).toBeGreaterThanOrEqual(startMs);
      expect(timeMs).toBeLessThanOrEqual(Date.now());
      seen.push(e.spanId);
    }
  }
  // Four calls in four different (series, bucket) cells: each is its bucket's latest, kept once.
  expect(seen.sort()).toEqual(finished.map((s) => s.spanContext().spanId).sort());
}

describe('withLatencyExemplars (OTLP protobuf)', () => {
  const serializer = withLatencyExemplars(ProtobufMetricsSerializer, 'protobuf');

  it('adds the sampled calls as exemplars of their latency buckets; everything else decodes as the SDK wrote it', async () => {
    const startMs = Date.now();
    const data = await exportData(true);
    const sdkBytes = ProtobufMetricsSerializer.serializeRequest(data) as Uint8Array;
    const ours = serializer.serializeRequest(data) as Uint8Array;
    expect(ours.length).toBeGreaterThan(sdkBytes.length);
    const decoded = decodeProtobuf(ours);
    const points = latencyPoints(decoded);
    expect(points).toHaveLength(3); // gpt-4o-mini, gpt-4o, gpt-4o with error.type
    expectExemplarsOfCalls(points, startMs);
    expect(points.map((p) => p.exemplars?.length).sort()).toEqual([1, 1, 2]);
    expect(withoutExemplars(decoded)).toEqual(decodeProtobuf(sdkBytes));
    // The app's own histogram (first scope) has none.
    const appSize = decoded.resourceMetrics[0]?.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.name === 'app_size');
    expect(appSize?.histogram?.dataPoints[0]?.exemplars ?? []).toEqual([]);
  });

  it('without sampled calls, the output is the SDK serializer output byte for byte', async () => {
    const data = await exportData(false);
    const sdkBytes = ProtobufMetricsSerializer.serializeRequest(data) as Uint8Array;
    expect(Buffer.from(serializer.serializeRequest(data) as Uint8Array).equals(Buffer.from(sdkBytes))).toBe(true);
    expect(latencyPoints(decodeProtobuf(sdkBytes)).length).toBe(3);
  });

  it('when the exemplars cannot be added, sends the SDK output unchanged and counts the failure', async () => {
    const data = await exportData(true);
    // A serializer whose output is not the request of `data` (a truncated message).
    const broken = withLatencyExemplars(
      { serializeRequest: () => Uint8Array.of(0x0a, 0x05, 0x12), deserializeResponse: () => ({}) },
      'protobuf',
    );
    expect([...(broken.serializeRequest(data) as Uint8Array)]).toEqual([0x0a, 0x05, 0x12]);
    const internal = (await collectByName(reader)).get('llm_otel_internal_errors_total');
    expect(pointsWith<number>(internal, { 'llm_otel.component': 'otlpExemplars' })[0]?.value).toBe(1);
  });
});

describe('withLatencyExemplars with delta temporality', () => {
  const serializer = withLatencyExemplars(ProtobufMetricsSerializer, 'protobuf');
  const CALL = CALLS[0] as InferenceRecord;

  it("sends only the exemplars of the export's interval", async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    producer = llmMetricProducer({ temporality: AggregationTemporality.DELTA });
    getLlmMetrics().recordInference(CALL);
    // Times are in milliseconds: a call of the same millisecond as the export would also count as
    // the next interval's (sent twice at worst, which Prometheus ignores); keep them apart here.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const first = latencyPoints(
      decodeProtobuf(serializer.serializeRequest((await producer.collect()).resourceMetrics) as Uint8Array),
    );
    expect(first.flatMap((p) => p.exemplars ?? []).map((e) => e.spanId)).toEqual([
      spans.getFinishedSpans()[0]?.spanContext().spanId,
    ]);
    // The next interval: one more call in the same bucket, without a span (no TracerProvider). The
    // bucket's kept exemplar is the first call's, from the interval before: not sent again.
    await new Promise((resolve) => setTimeout(resolve, 5));
    trace.disable();
    getLlmMetrics().recordInference(CALL);
    const second = latencyPoints(
      decodeProtobuf(serializer.serializeRequest((await producer.collect()).resourceMetrics) as Uint8Array),
    );
    expect(second.map((p) => p.count)).toEqual(['1']);
    expect(second.flatMap((p) => p.exemplars ?? [])).toEqual([]);
  });
});

describe('withLatencyExemplars (OTLP JSON)', () => {
  const serializer = withLatencyExemplars(JsonMetricsSerializer, 'json');
  const parse = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));

  it('adds the exemplars with hex ids and string nanosecond times; the rest is the SDK JSON', async () => {
    const startMs = Date.now();
    const data = await exportData(true);
    const ours = parse(serializer.serializeRequest(data)) as DecodedRequest;
    const points = latencyPoints(ours);
    expect(points).toHaveLength(3);
    for (const e of points.flatMap((p) => p.exemplars ?? [])) {
      expect(Object.keys(e).sort()).toEqual(['asDouble', 'spanId', 'timeUnixNano', 'traceId']);
      expect(e.timeUnixNano).toMatch(/^\d{19}$/);
    }
    // Bucket counts and bounds are numbers in the SDK's JSON; the checks read them as numbers.
    expectExemplarsOfCalls(points as DecodedPoint[], startMs);
    expect(withoutExemplars(ours)).toEqual(parse(JsonMetricsSerializer.serializeRequest(data)));
  });

  it('without sampled calls, the output is the SDK serializer output byte for byte', async () => {
    const data = await exportData(false);
    const sdkBytes = JsonMetricsSerializer.serializeRequest(data) as Uint8Array;
    expect(Buffer.from(serializer.serializeRequest(data) as Uint8Array).equals(Buffer.from(sdkBytes))).toBe(true);
  });
});

describe('LazyOtlpExporter sends the exemplars', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it.each([
    ['http/protobuf', 'application/x-protobuf'],
    ['http/json', 'application/json'],
  ] as const)('%s', async (protocol, contentType) => {
    const bodies: Array<{ type: string; body: Buffer }> = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ type: String(req.headers['content-type']), body: Buffer.concat(chunks) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const config: Exclude<ResolvedConfig['otlp'], false> = {
      url: `http://127.0.0.1:${port}/v1/metrics`,
      protocol,
      intervalMs: 60_000,
      timeoutMs: 5_000,
      temporalityPreference: 'cumulative',
    };
    const startMs = Date.now();
    const exporter = new LazyOtlpExporter(config);
    const data = await exportData(true);
    const result = await new Promise<{ code: number }>((resolve) => exporter.export(data, resolve));
    await exporter.shutdown();
    expect(result.code).toBe(0);
    expect(bodies.map((b) => b.type)).toEqual([contentType]);
    const body = bodies[0]?.body ?? Buffer.alloc(0);
    const request =
      protocol === 'http/json' ? (JSON.parse(body.toString('utf8')) as DecodedRequest) : decodeProtobuf(body);
    expectExemplarsOfCalls(latencyPoints(request), startMs);
  });
});
