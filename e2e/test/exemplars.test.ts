/**
 * Latency exemplars end to end, all real: the example service (`node --import
 * @llm-otel/node/register`, the real openai client against the model simulator) exports its call
 * spans over OTLP/HTTP straight to Jaeger and serves its own /metrics; a real Prometheus with
 * exemplar storage scrapes it (as OpenMetrics, Prometheus' first choice); the exemplars API then
 * returns the trace ids of calls, and they resolve to traces in Jaeger. Also: the series names
 * Prometheus stores are the ones of the classic text format.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Jaeger, jaegerTrace, startJaeger } from '../src/jaeger.js';
import { startLlmService } from '../src/llm-service.js';
import { eventually, freePorts, stopAll } from '../src/processes.js';
import { metricNames } from '../src/prometheus.js';
import {
  type ExemplarSeries,
  queryExemplars,
  scrapeTargets,
  startPrometheusWithExemplars,
} from '../src/prometheus-exemplars.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-exemplars-'));
const SERVICE = 'llm-service-exemplars-e2e';
const JOB = 'llm-service';
const N = 6;
const STEP_TIMEOUT_MS = 90_000;

const simulator = new ModelSimulator({ firstTokenMedianMs: 30, perTokenMedianMs: 1, seed: 12 });
let jaeger: Jaeger;
let prometheusUrl: string;
let appUrl: string;
let directUrl: string;

async function ask(): Promise<void> {
  const r = await fetch(`${appUrl}/ask`, {
    method: 'POST',
    body: JSON.stringify({ operation: 'openai.chat', model: 'gpt-4o-mini', prompt: 'Say hi.' }),
  });
  await r.text();
}

beforeAll(async () => {
  const [appPort, directPort, promPort, unusedOtlp, jOtlpGrpc, jOtlpHttp, jQueryHttp, jQueryGrpc] = (await freePorts(
    8,
  )) as [number, number, number, number, number, number, number, number];
  let modelUrl: string;
  [modelUrl, jaeger] = await Promise.all([
    simulator.start(),
    startJaeger(
      repoRoot,
      { otlpGrpc: jOtlpGrpc, otlpHttp: jOtlpHttp, queryHttp: jQueryHttp, queryGrpc: jQueryGrpc },
      workDir,
    ),
  ]);
  ({ url: appUrl, directMetricsUrl: directUrl } = await startLlmService({
    repoRoot,
    logDir: workDir,
    serviceName: SERVICE,
    port: appPort,
    directMetricsPort: directPort,
    otlpPort: unusedOtlp,
    modelUrl,
    exportIntervalMs: 1000,
    extraEnv: {
      // Metrics: only the app's own /metrics; spans straight to Jaeger's OTLP/HTTP receiver.
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${jOtlpHttp}/v1/traces`,
      OTEL_BSP_SCHEDULE_DELAY: '500',
      LLM_OTEL_HEALTH_PROBE: 'false',
    },
  }));
  ({ url: prometheusUrl } = await startPrometheusWithExemplars({
    workDir,
    port: promPort,
    job: JOB,
    target: new URL(directUrl).host,
  }));
  for (let i = 0; i < N; i++) await ask();
}, 120_000);

afterAll(async () => {
  await stopAll();
  await simulator.stop();
});

describe('latency exemplars from the app to Prometheus and Jaeger', () => {
  let series: ExemplarSeries[];

  it(
    "Prometheus stores the trace and span ids of the app's calls as exemplars of the latency buckets",
    async () => {
      series = await eventually('latency exemplars in Prometheus', 60_000, async () => {
        const found = await queryExemplars(prometheusUrl, `llm_inference_latency_seconds_bucket{job="${JOB}"}`);
        const count = found.reduce((n, s) => n + s.exemplars.length, 0);
        return count > 0 ? found : undefined;
      });
      for (const s of series) {
        expect(s.seriesLabels.__name__).toBe('llm_inference_latency_seconds_bucket');
        expect(s.seriesLabels.gen_ai_request_model).toBe('gpt-4o-mini');
        for (const e of s.exemplars) {
          expect(e.labels.trace_id).toMatch(/^[0-9a-f]{32}$/);
          expect(e.labels.span_id).toMatch(/^[0-9a-f]{16}$/);
          expect(Number(e.value)).toBeGreaterThan(0);
        }
      }
      const targets = await scrapeTargets(prometheusUrl);
      expect(targets.map((t) => [t.scrapePool, t.health, t.lastError])).toEqual([[JOB, 'up', '']]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "an exemplar's trace id resolves to the call's span in Jaeger",
    async () => {
      const exemplar = series.flatMap((s) => s.exemplars)[0];
      if (exemplar === undefined) throw new Error('no exemplar');
      const trace = await eventually(`trace ${exemplar.labels.trace_id} in Jaeger`, 60_000, () =>
        jaegerTrace(jaeger.url, exemplar.labels.trace_id as string),
      );
      const span = trace.spans.find((s) => s.spanID === exemplar.labels.span_id);
      expect(span?.operationName).toBe('chat gpt-4o-mini');
      expect(trace.processes[span?.processID ?? '']?.serviceName).toBe(SERVICE);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'keeps the series names of the classic text format',
    async () => {
      const classic = await (await fetch(directUrl)).text();
      const classicNames = new Set(
        classic
          .split('\n')
          .filter((line) => line !== '' && !line.startsWith('#'))
          .map((line) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? line),
      );
      expect(classicNames.has('llm_token_generation_rate_total')).toBe(true);
      const stored = new Set(await metricNames(prometheusUrl));
      expect([...classicNames].filter((name) => !stored.has(name))).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );
});
