/**
 * llmOtlpMetricExporter() against the real collector (`pnpm collector:build`, collector/config.yaml):
 * an app-built MeterProvider with llmMetricProducer() pushes over OTLP/gRPC and OTLP/HTTP JSON;
 * the agent's Prometheus exporter, scraped as OpenMetrics, then shows the calls' spans as exemplars
 * on the latency buckets. The SDK's own OTLP exporter, in the same setup, gets none there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { getLlmMetrics, type InferenceRecord } from '@llm-otel/core';
import { trace } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { llmMetricProducer, llmOtlpMetricExporter } from '../src/index.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const BINARY = `${repoRoot}collector/_build/dist/otelcol-llm`;
const CALLS: InferenceRecord[] = [
  { provider: 'openai', operation: 'chat', model: 'gpt-4o-mini', durationSeconds: 0.3 },
  { provider: 'openai', operation: 'chat', model: 'gpt-4o-mini', durationSeconds: 2.5 },
];

let collector: ChildProcess | undefined;
let collectorLog = '';
const ports = { grpc: 0, http: 0, prometheus: 0, health: 0, self: 0 };
const spans = new InMemorySpanExporter();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/** Retries `probe` until it returns a value, up to `timeoutMs`. */
async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; collector log:\n${collectorLog}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`pnpm collector:build\` first`);
  for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
  const unused = await freePort(); // the traces and logs pipelines are not used here
  collector = spawn(BINARY, ['--config', `${repoRoot}collector/config.yaml`], {
    env: {
      ...process.env,
      OTELCOL_LISTEN_HOST: '127.0.0.1',
      OTLP_GRPC_PORT: String(ports.grpc),
      OTLP_HTTP_PORT: String(ports.http),
      OTELCOL_PROM_PORT: String(ports.prometheus),
      OTELCOL_HEALTH_PORT: String(ports.health),
      OTELCOL_METRICS_HOST: '127.0.0.1',
      OTELCOL_METRICS_PORT: String(ports.self),
      OTELCOL_TRACES_ENDPOINT: `127.0.0.1:${unused}`,
      OTELCOL_LOGS_ENDPOINT: `http://127.0.0.1:${unused}/v1/logs`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    collectorLog = (collectorLog + chunk.toString('utf8')).slice(-20_000);
  };
  collector.stdout?.on('data', keep);
  collector.stderr?.on('data', keep);
  await eventually('the collector health check', 30_000, async () =>
    (await fetch(`http://127.0.0.1:${ports.health}/`)).ok ? true : undefined,
  );
}, 60_000);

afterAll(async () => {
  const child = collector;
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
});

afterEach(() => {
  trace.disable();
  spans.reset();
});

interface ScrapedExemplar {
  traceId: string;
  spanId: string;
  value: number;
}

/** The latency bucket lines of `service` in the agent's OpenMetrics page and their exemplars. */
async function scrapeLatency(service: string): Promise<{ buckets: number; exemplars: ScrapedExemplar[] }> {
  const page = await (
    await fetch(`http://127.0.0.1:${ports.prometheus}/metrics`, {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    })
  ).text();
  const lines = page
    .split('\n')
    .filter((l) => l.startsWith('llm_inference_latency_seconds_bucket{') && l.includes(`="${service}"`));
  const exemplars: ScrapedExemplar[] = [];
  for (const line of lines) {
    const at = line.indexOf(' # {');
    if (at === -1) continue;
    const exemplar = line.slice(at + 3);
    const close = exemplar.indexOf('}');
    const labels = exemplar.slice(0, close);
    exemplars.push({
      traceId: /trace_id="([0-9a-f]{32})"/.exec(labels)?.[1] ?? '',
      spanId: /span_id="([0-9a-f]{16})"/.exec(labels)?.[1] ?? '',
      value: Number(
        exemplar
          .slice(close + 1)
          .trim()
          .split(' ')[0],
      ),
    });
  }
  return { buckets: lines.length, exemplars };
}

/** An app's own SDK with `exporter`: records CALLS with sampled spans, exports once, shuts down. */
async function runApp(service: string, exporter: PushMetricExporter): Promise<void> {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  const producer = llmMetricProducer();
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 3_600_000,
    metricProducers: [producer],
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    readers: [reader],
  });
  try {
    for (const call of CALLS) getLlmMetrics().recordInference(call);
    await reader.forceFlush();
  } finally {
    await provider.shutdown();
    producer.detach();
  }
}

describe('llmOtlpMetricExporter() -> real collector -> OpenMetrics scrape', () => {
  it.each([
    ['grpc', () => `http://127.0.0.1:${ports.grpc}`],
    ['http/json', () => `http://127.0.0.1:${ports.http}`],
  ] as const)("%s: the calls' spans are the latency buckets' exemplars", async (protocol, endpoint) => {
    const service = `own-sdk-${protocol.replace('/', '-')}`;
    await runApp(service, llmOtlpMetricExporter({ protocol, endpoint: endpoint() }));
    const finished = spans.getFinishedSpans();
    expect(finished).toHaveLength(CALLS.length);
    const { exemplars } = await eventually(`exemplars of ${service}`, 20_000, async () => {
      const scraped = await scrapeLatency(service);
      return scraped.exemplars.length === CALLS.length ? scraped : undefined;
    });
    const expected = finished.map((s, i) => ({
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      value: CALLS[i]?.durationSeconds,
    }));
    const byValue = (a: { value?: number }, b: { value?: number }) => (a.value ?? 0) - (b.value ?? 0);
    expect(exemplars.sort(byValue)).toEqual(expected.sort(byValue));
  });

  it("the SDK's own OTLP exporter, same setup: the series arrive, without exemplars", async () => {
    const service = 'own-sdk-sdk-exporter';
    await runApp(service, new OTLPMetricExporter({ url: `http://127.0.0.1:${ports.http}/v1/metrics` }));
    const scraped = await eventually(`latency of ${service}`, 20_000, async () => {
      const s = await scrapeLatency(service);
      return s.buckets > 0 ? s : undefined;
    });
    expect(scraped.exemplars).toEqual([]);
  });
});
