/**
 * Latency exemplars through the collector, all real: two instances of the example service
 * (`node --import @llm-otel/node/register`, the real openai client against the model simulator)
 * push their metrics and call spans over OTLP only (no /metrics of their own):
 *
 *   - A, OTLP/HTTP protobuf -> collector agent (collector/config.yaml) -> its prometheus exporter,
 *     scraped as OpenMetrics (enable_open_metrics) by Prometheus with exemplar storage;
 *   - B, OTLP/HTTP JSON -> the same agent (the collector's own JSON decoding of the exemplars);
 *   - C, OTLP/gRPC -> collector gateway (collector/gateway.yaml) -> remote write into the same
 *     Prometheus;
 *
 * and both collectors send the spans to Jaeger. The Prometheus exemplars API then returns the
 * trace ids of each app's calls on llm_inference_latency_seconds_bucket, and they resolve to the
 * calls' spans in Jaeger.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../src/collector.js';
import { startTierCollector } from '../src/gateway-tier.js';
import { type Jaeger, jaegerTrace, startJaeger } from '../src/jaeger.js';
import { startLlmService } from '../src/llm-service.js';
import { eventually, freePorts, stopAll } from '../src/processes.js';
import {
  type ExemplarSeries,
  queryExemplars,
  scrapeTargets,
  startPrometheusWithExemplars,
} from '../src/prometheus-exemplars.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-exemplars-collector-'));
const AGENT_PATH = 'llm-service-exemplars-agent';
const AGENT_JSON_PATH = 'llm-service-exemplars-agent-json';
const GATEWAY_PATH = 'llm-service-exemplars-gateway';
const SCRAPE_JOB = 'otel-collector';
const N = 6;
const STEP_TIMEOUT_MS = 90_000;

const simulator = new ModelSimulator({ firstTokenMedianMs: 30, perTokenMedianMs: 1, seed: 21 });
let jaeger: Jaeger;
let prometheusUrl: string;
const appUrls: Record<string, string> = {};

async function ask(appUrl: string): Promise<void> {
  const r = await fetch(`${appUrl}/ask`, {
    method: 'POST',
    body: JSON.stringify({ operation: 'openai.chat', model: 'gpt-4o-mini', prompt: 'Say hi.' }),
  });
  await r.text();
}

/** Metrics and spans over OTLP only: no Prometheus endpoint of the app's own, no log records. */
const OTLP_ONLY = {
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_LOGS_EXPORTER: 'none',
  LLM_OTEL_HEALTH_PROBE: 'false',
};

beforeAll(async () => {
  const ports = await freePorts(20);
  const next = (): number => ports.shift() as number;
  const jaegerPorts = { otlpGrpc: next(), otlpHttp: next(), queryHttp: next(), queryGrpc: next() };
  const agent = { grpc: next(), http: next(), prometheus: next(), health: next(), self: next() };
  const gateway = { grpc: next(), http: next(), health: next(), self: next() };
  const promPort = next();
  // Nothing listens here: the log pipelines are unused (the apps send no log records).
  const unusedLogs = `http://127.0.0.1:${next()}/insert/opentelemetry/v1/logs`;
  let modelUrl: string;
  [modelUrl, jaeger] = await Promise.all([simulator.start(), startJaeger(repoRoot, jaegerPorts, workDir)]);
  ({ url: prometheusUrl } = await startPrometheusWithExemplars({
    workDir,
    port: promPort,
    job: SCRAPE_JOB,
    target: `127.0.0.1:${agent.prometheus}`,
    honorLabels: true,
    remoteWriteReceiver: true,
  }));
  const stores = { OTELCOL_TRACES_ENDPOINT: jaeger.otlpGrpcEndpoint, OTELCOL_LOGS_ENDPOINT: unusedLogs };
  await Promise.all([
    startCollector(repoRoot, agent, workDir, stores),
    startTierCollector({
      repoRoot,
      role: 'gateway',
      name: 'otelcol-gateway',
      ports: gateway,
      logDir: workDir,
      env: { ...stores, PRW_ENDPOINT: `${prometheusUrl}/api/v1/write` },
    }),
  ]);
  const apps: Array<{
    name: string;
    protocol: 'http/protobuf' | 'grpc';
    otlpPort: number;
    env: Record<string, string>;
  }> = [
    { name: AGENT_PATH, protocol: 'http/protobuf', otlpPort: agent.http, env: {} },
    {
      name: AGENT_JSON_PATH,
      protocol: 'http/protobuf',
      otlpPort: agent.http,
      // Metrics in OTLP/HTTP JSON; the spans stay http/protobuf.
      env: { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' },
    },
    { name: GATEWAY_PATH, protocol: 'grpc', otlpPort: gateway.grpc, env: {} },
  ];
  await Promise.all(
    apps.map(async (app) => {
      const { url } = await startLlmService({
        repoRoot,
        logDir: join(workDir, app.name),
        serviceName: app.name,
        port: next(),
        directMetricsPort: next(),
        otlpPort: app.otlpPort,
        protocol: app.protocol,
        modelUrl,
        exportIntervalMs: 1000,
        perCallSignals: true,
        extraEnv: { ...OTLP_ONLY, ...app.env },
      });
      appUrls[app.name] = url;
    }),
  );
  for (let i = 0; i < N; i++) await Promise.all(Object.values(appUrls).map(ask));
}, 180_000);

afterAll(async () => {
  await stopAll();
  await simulator.stop();
});

/** The latency exemplars Prometheus has for the app whose `job` is `service`, once there are some. */
function exemplarsOf(service: string): Promise<ExemplarSeries[]> {
  return eventually(`latency exemplars of ${service} in Prometheus`, 60_000, async () => {
    const found = await queryExemplars(prometheusUrl, `llm_inference_latency_seconds_bucket{job="${service}"}`);
    return found.some((s) => s.exemplars.length > 0) ? found : undefined;
  });
}

/** Each exemplar is one of the app's calls: hex ids, the latency as value, on a bucket series of the app. */
function expectCallExemplars(series: ExemplarSeries[], service: string): void {
  for (const s of series) {
    expect(s.seriesLabels.__name__).toBe('llm_inference_latency_seconds_bucket');
    expect(s.seriesLabels.job).toBe(service);
    expect(s.seriesLabels.gen_ai_request_model).toBe('gpt-4o-mini');
    for (const e of s.exemplars) {
      expect(e.labels.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(e.labels.span_id).toMatch(/^[0-9a-f]{16}$/);
      const le = Number(s.seriesLabels.le === '+Inf' ? Number.POSITIVE_INFINITY : s.seriesLabels.le);
      expect(Number(e.value)).toBeGreaterThan(0);
      expect(Number(e.value)).toBeLessThanOrEqual(le);
    }
  }
}

/** The first exemplar's trace is in Jaeger, with the call's span under the app's service name. */
async function expectTraceInJaeger(series: ExemplarSeries[], service: string): Promise<void> {
  const exemplar = series.flatMap((s) => s.exemplars)[0];
  if (exemplar === undefined) throw new Error('no exemplar');
  const traceId = exemplar.labels.trace_id as string;
  const trace = await eventually(`trace ${traceId} in Jaeger`, 60_000, () => jaegerTrace(jaeger.url, traceId));
  const span = trace.spans.find((s) => s.spanID === exemplar.labels.span_id);
  expect(span?.operationName).toBe('chat gpt-4o-mini');
  expect(trace.processes[span?.processID ?? '']?.serviceName).toBe(service);
}

describe('latency exemplars from OTLP push through the collector to Prometheus and Jaeger', () => {
  it.each([
    ['agent path (OTLP/HTTP protobuf, OpenMetrics scrape)', AGENT_PATH],
    ['agent path (OTLP/HTTP JSON, OpenMetrics scrape)', AGENT_JSON_PATH],
    ['gateway path (OTLP/gRPC, remote write)', GATEWAY_PATH],
  ])(
    "%s: the exemplars' trace ids are the calls' traces in Jaeger",
    async (_, service) => {
      const series = await exemplarsOf(service);
      expectCallExemplars(series, service);
      await expectTraceInJaeger(series, service);
    },
    STEP_TIMEOUT_MS,
  );

  it('Prometheus scrapes the agent without errors', async () => {
    const targets = await scrapeTargets(prometheusUrl);
    expect(targets.map((t) => [t.scrapePool, t.health, t.lastError])).toEqual([[SCRAPE_JOB, 'up', '']]);
  });
});
