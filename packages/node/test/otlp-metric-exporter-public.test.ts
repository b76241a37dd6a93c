/**
 * llmOtlpMetricExporter() in an app's own SDK: a real MeterProvider with a
 * PeriodicExportingMetricReader whose exporter is ours and whose producer is llmMetricProducer(),
 * exporting to a local OTLP/HTTP receiver; the requests are decoded with protobufjs (from a subset
 * of the OTLP protos) or as JSON. Calls are recorded through core with spans from a real
 * TracerProvider (sampled or not).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { getLlmMetrics, type InferenceRecord } from '@llm-otel/core';
import { metrics, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InstrumentType,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type LlmMetricProducer,
  LlmOtelConfigError,
  type LlmOtlpMetricExporterOptions,
  llmMetricProducer,
  llmOtlpMetricExporter,
} from '../src/index.js';

const LATENCY = 'llm_inference_latency_seconds';
const proto = readFileSync(new URL('./fixtures/otlp-metrics-subset.proto', import.meta.url), 'utf8');
const RequestType = protobuf.parse(proto).root.lookupType('otlp.ExportMetricsServiceRequest');

interface Exemplar {
  asDouble: number;
  spanId: string;
  traceId: string;
}
interface Point {
  count: string | number;
  exemplars?: Exemplar[];
}
interface Metric {
  name: string;
  sum?: { aggregationTemporality?: number };
  histogram?: { dataPoints: Point[]; aggregationTemporality?: number };
}
interface Request {
  resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Metric[] }> }>;
}
interface Received {
  path: string | undefined;
  type: string | undefined;
  request: Request;
}

function metricsOf(request: Request): Metric[] {
  return request.resourceMetrics.flatMap((r) => r.scopeMetrics).flatMap((s) => s.metrics);
}
function latency(request: Request): Metric | undefined {
  return metricsOf(request).find((m) => m.name === LATENCY);
}
function exemplarsOf(request: Request): Exemplar[] {
  return (latency(request)?.histogram?.dataPoints ?? []).flatMap((p) => p.exemplars ?? []);
}

/** protobufjs' view of an OTLP protobuf request, ids in hex (JSON requests carry hex already). */
function decodeProtobuf(body: Buffer): Request {
  const request = RequestType.toObject(RequestType.decode(body), { longs: String, bytes: String }) as Request;
  for (const e of exemplarsOf(request)) {
    e.spanId = Buffer.from(e.spanId, 'base64').toString('hex');
    e.traceId = Buffer.from(e.traceId, 'base64').toString('hex');
  }
  return request;
}

const CALLS: InferenceRecord[] = [
  { provider: 'openai', operation: 'chat', model: 'gpt-4o-mini', durationSeconds: 0.3 },
  { provider: 'openai', operation: 'chat', model: 'gpt-4o', durationSeconds: 2.5 },
];

let server: Server | undefined;
let provider: MeterProvider | undefined;
let producer: LlmMetricProducer | undefined;
const spans = new InMemorySpanExporter();

afterEach(async () => {
  await provider?.shutdown();
  provider = undefined;
  producer?.detach();
  producer = undefined;
  server?.close();
  server = undefined;
  trace.disable();
  metrics.disable();
  spans.reset();
  vi.unstubAllEnvs();
});

/** A local OTLP/HTTP receiver keeping every request, decoded by its content type. */
async function startReceiver(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const type = req.headers['content-type'];
      const request = type?.includes('json') ? (JSON.parse(body.toString('utf8')) as Request) : decodeProtobuf(body);
      received.push({ path: req.url, type, request });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, received };
}

/**
 * The app's SDK, as the README shows it: its MeterProvider, one PeriodicExportingMetricReader
 * with our exporter and a producer with the exporter's temporality, an app counter of its own.
 * Returns the reader (forceFlush() exports once).
 */
function appSdk(options?: LlmOtlpMetricExporterOptions): PeriodicExportingMetricReader {
  const exporter = llmOtlpMetricExporter(options);
  producer = llmMetricProducer({ temporality: (type) => exporter.selectAggregationTemporality(type) });
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 3_600_000,
    metricProducers: [producer],
  });
  provider = new MeterProvider({ readers: [reader] });
  provider.getMeter('app').createCounter('app_requests_total').add(2);
  return reader;
}

function traced(sampled: boolean): void {
  const sampler = sampled ? {} : { sampler: new AlwaysOffSampler() };
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ ...sampler, spanProcessors: [new SimpleSpanProcessor(spans)] }),
  );
}

/** Each call's span is an exemplar of the latency histogram, with the call's duration. */
function expectCallExemplars(request: Request): void {
  const finished = spans.getFinishedSpans();
  expect(finished).toHaveLength(CALLS.length);
  const exemplars = exemplarsOf(request);
  expect(exemplars.map((e) => e.spanId).sort()).toEqual(finished.map((s) => s.spanContext().spanId).sort());
  for (const e of exemplars) {
    const index = finished.findIndex((s) => s.spanContext().spanId === e.spanId);
    expect(e.traceId).toBe(finished[index]?.spanContext().traceId);
    expect(e.asDouble).toBe(CALLS[index]?.durationSeconds);
  }
}

describe('llmOtlpMetricExporter() in an app-built MeterProvider with llmMetricProducer()', () => {
  it('http/protobuf (default): the latency histogram carries the sampled calls as exemplars, beside the app metrics', async () => {
    const { url, received } = await startReceiver();
    traced(true);
    const reader = appSdk({ endpoint: url });
    for (const call of CALLS) getLlmMetrics().recordInference(call);
    await reader.forceFlush();
    expect(received.map((r) => [r.path, r.type])).toEqual([['/v1/metrics', 'application/x-protobuf']]);
    const request = (received[0] as Received).request;
    expect(metricsOf(request).map((m) => m.name)).toContain('app_requests_total');
    expect(latency(request)?.histogram?.dataPoints.map((p) => Number(p.count))).toEqual([1, 1]);
    expectCallExemplars(request);
  });

  it('http/json from OTEL_EXPORTER_OTLP_METRICS_PROTOCOL and _ENDPOINT (used as is)', async () => {
    const { url, received } = await startReceiver();
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'http/json');
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', `${url}/custom/metrics`);
    traced(true);
    const reader = appSdk();
    for (const call of CALLS) getLlmMetrics().recordInference(call);
    await reader.forceFlush();
    expect(received.map((r) => [r.path, r.type])).toEqual([['/custom/metrics', 'application/json']]);
    expectCallExemplars((received[0] as Received).request);
  });

  it('without sampled spans (none, or not sampled) the latency histogram has no exemplars', async () => {
    const { url, received } = await startReceiver();
    const reader = appSdk({ endpoint: url });
    getLlmMetrics().recordInference(CALLS[0] as InferenceRecord); // no TracerProvider
    traced(false);
    getLlmMetrics().recordInference(CALLS[1] as InferenceRecord); // a span, not sampled
    expect(spans.getFinishedSpans()).toHaveLength(0);
    await reader.forceFlush();
    const request = (received[0] as Received).request;
    expect(latency(request)?.histogram?.dataPoints.map((p) => Number(p.count))).toEqual([1, 1]);
    expect(exemplarsOf(request)).toEqual([]);
  });

  it('delta (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE): each export carries only its interval', async () => {
    const { url, received } = await startReceiver();
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', 'delta');
    traced(true);
    const reader = appSdk({ endpoint: url });
    getLlmMetrics().recordInference(CALLS[0] as InferenceRecord);
    // Exemplar times are in milliseconds: keep the calls and exports in different ones.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await reader.forceFlush();
    await new Promise((resolve) => setTimeout(resolve, 5));
    trace.disable();
    getLlmMetrics().recordInference(CALLS[0] as InferenceRecord); // same bucket, no span
    await reader.forceFlush();
    const [first, second] = received.map((r) => r.request);
    expect(latency(first as Request)?.histogram?.aggregationTemporality).toBe(1); // OTLP's AGGREGATION_TEMPORALITY_DELTA
    expect(exemplarsOf(first as Request).map((e) => e.spanId)).toEqual([
      spans.getFinishedSpans()[0]?.spanContext().spanId,
    ]);
    expect(latency(second as Request)?.histogram?.dataPoints.map((p) => Number(p.count))).toEqual([1]);
    expect(exemplarsOf(second as Request)).toEqual([]);
  });
});

describe('llmOtlpMetricExporter() options', () => {
  it('temporality from the option or the variable, as register() resolves it', () => {
    expect(llmOtlpMetricExporter().selectAggregationTemporality(InstrumentType.HISTOGRAM)).toBe(
      AggregationTemporality.CUMULATIVE,
    );
    const lowmemory = llmOtlpMetricExporter({ temporalityPreference: 'lowmemory' });
    expect(lowmemory.selectAggregationTemporality(InstrumentType.HISTOGRAM)).toBe(AggregationTemporality.DELTA);
    expect(lowmemory.selectAggregationTemporality(InstrumentType.OBSERVABLE_COUNTER)).toBe(
      AggregationTemporality.CUMULATIVE,
    );
  });

  it.each([
    [{ protocol: 'grpc2' }, /^llmOtlpMetricExporter\(\): protocol="grpc2" is not valid; accepted: http\/protobuf/],
    [{ endpoint: 'ftp://collector:4318' }, /^llmOtlpMetricExporter\(\): endpoint="ftp:\/\/collector:4318"/],
    [{ endpoint: '' }, /^llmOtlpMetricExporter\(\): endpoint="" is not valid/],
    [{ endpoint: 4318 }, /^llmOtlpMetricExporter\(\): endpoint=\(a number\) is not valid/],
    [{ timeoutMs: -1 }, /^llmOtlpMetricExporter\(\): timeoutMs=-1 is not valid/],
    [{ temporalityPreference: 'sometimes' }, /^llmOtlpMetricExporter\(\): temporalityPreference="sometimes"/],
    [{ intervalMs: 1000 }, /^llmOtlpMetricExporter\(\): intervalMs is not an option; known: endpoint, protocol/],
    ['http://collector:4318', /^llmOtlpMetricExporter\(\): options must be an object/],
  ])('%j -> LlmOtelConfigError naming the option', (options, message) => {
    const make = () => llmOtlpMetricExporter(options as LlmOtlpMetricExporterOptions);
    expect(make).toThrow(LlmOtelConfigError);
    expect(make).toThrow(message);
  });

  it('a bad variable -> LlmOtelConfigError naming the variable', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'udp');
    expect(() => llmOtlpMetricExporter()).toThrow(
      /^llmOtlpMetricExporter\(\): OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="udp" is not valid/,
    );
    // An option wins over the variable.
    expect(() => llmOtlpMetricExporter({ protocol: 'http/json' })).not.toThrow();
  });
});
