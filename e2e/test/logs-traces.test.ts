/**
 * The pipeline half of per-call telemetry, all real: OTLP/HTTP JSON logs and traces shaped like
 * the SDK's GenAI events and spans -> the otelcol-llm collector (collector/config.yaml) -> Jaeger
 * (traces) and VictoriaLogs (logs), built by `pnpm stores:build`, then read back through each
 * store's own query API. Also: a trace store that is down does not stop logs or metrics.
 * Every server runs on free loopback ports and is stopped even when a step fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorBinary } from '../src/collector.js';
import { type Jaeger, type JaegerTrace, jaegerTrace, jaegerTraces, startJaeger, tag } from '../src/jaeger.js';
import { eventually, freePorts, type Service, start, stopAll, waitForHttp } from '../src/processes.js';
import { type LogEntry, logsQuery, startVictoriaLogs, type VictoriaLogs } from '../src/victoria-logs.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-stores-'));
const SERVICE = 'llm-service-stores-e2e';
const EVENT = 'gen_ai.client.inference.operation.details';
const N = 6;
/** Each step polls for up to 30 s per condition; a loaded CI machine needs more than vitest's 30 s. */
const STEP_TIMEOUT_MS = 90_000;

let jaeger: Jaeger;
let logs: VictoriaLogs;
let collector: Service;
let gatewayUrl: string;
let otlpUrl: string;
let promUrl: string;
let selfUrl: string;

type AnyValue = { stringValue: string } | { intValue: string } | { arrayValue: { values: AnyValue[] } };
type Attribute = { key: string; value: AnyValue };

/** OTLP JSON attribute list from plain values (integers as intValue strings, as OTLP JSON wants). */
function attributes(values: Record<string, string | number | string[]>): Attribute[] {
  const encode = (v: string | number | string[]): AnyValue =>
    typeof v === 'number'
      ? { intValue: String(v) }
      : Array.isArray(v)
        ? { arrayValue: { values: v.map((s) => ({ stringValue: s })) } }
        : { stringValue: v };
  return Object.entries(values).map(([key, v]) => ({ key, value: encode(v) }));
}

const resource = {
  attributes: attributes({
    'service.name': SERVICE,
    'service.instance.id': 'stores-e2e-1',
    'deployment.environment.name': 'test',
  }),
};

/** One simulated LLM call: the ids and attributes its span and its log record share. */
interface Call {
  traceId: string;
  spanId: string;
  batch: string;
  inputTokens: number;
  outputTokens: number;
  startNs: bigint;
  endNs: bigint;
}

function makeCalls(n: number, batch: string): Call[] {
  const now = BigInt(Date.now()) * 1_000_000n;
  return Array.from({ length: n }, (_, i) => ({
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    batch,
    inputTokens: 100 + i,
    outputTokens: 20 + i,
    startNs: now - 800_000_000n,
    endNs: now,
  }));
}

/** The GenAI semantic-convention attributes of a successful chat call. */
function genAiAttributes(call: Call): Record<string, string | number | string[]> {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.id': `chatcmpl-${call.spanId}`,
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.usage.input_tokens': call.inputTokens,
    'gen_ai.usage.output_tokens': call.outputTokens,
    'server.address': 'api.openai.com',
    'server.port': 443,
    // Only so the test can tell its two rounds apart.
    'test.batch': call.batch,
  };
}

async function post(base: string, path: string, body: unknown): Promise<void> {
  const r = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${text}`);
}

/** One CLIENT span per call, `chat gpt-4o-mini`, as the SDK will export it. */
function sendSpans(calls: Call[], base = otlpUrl): Promise<void> {
  return post(base, '/v1/traces', {
    resourceSpans: [
      {
        resource,
        scopeSpans: [
          {
            scope: { name: '@llm-otel/instrumentation' },
            spans: calls.map((c) => ({
              traceId: c.traceId,
              spanId: c.spanId,
              name: 'chat gpt-4o-mini',
              kind: 3, // SPAN_KIND_CLIENT
              startTimeUnixNano: String(c.startNs),
              endTimeUnixNano: String(c.endNs),
              attributes: attributes(genAiAttributes(c)),
              status: {},
            })),
          },
        ],
      },
    ],
  });
}

/** One INFO event per call, with the span's trace context and no prompt or completion content. */
function sendLogRecords(calls: Call[], base = otlpUrl): Promise<void> {
  return post(base, '/v1/logs', {
    resourceLogs: [
      {
        resource,
        scopeLogs: [
          {
            scope: { name: '@llm-otel/instrumentation' },
            logRecords: calls.map((c) => ({
              timeUnixNano: String(c.endNs),
              observedTimeUnixNano: String(c.endNs),
              eventName: EVENT,
              severityNumber: 9, // INFO
              severityText: 'INFO',
              traceId: c.traceId,
              spanId: c.spanId,
              attributes: attributes(genAiAttributes(c)),
            })),
          },
        ],
      },
    ],
  });
}

/** A cumulative counter export, to show the metrics pipeline still works. */
function sendProbeMetric(value: number): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  return post(otlpUrl, '/v1/metrics', {
    resourceMetrics: [
      {
        resource,
        scopeMetrics: [
          {
            scope: { name: '@llm-otel/e2e' },
            metrics: [
              {
                name: 'llm_stores_e2e_probe_total',
                unit: '{probe}',
                sum: {
                  aggregationTemporality: 2, // CUMULATIVE
                  isMonotonic: true,
                  dataPoints: [
                    {
                      startTimeUnixNano: String(now - 1_000_000_000n),
                      timeUnixNano: String(now),
                      asInt: String(value),
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

/** The batch's traces once Jaeger holds all `n` of them (polls; undefined until then). */
async function tracesOf(batch: string, n: number): Promise<JaegerTrace[] | undefined> {
  const traces = (await jaegerTraces(jaeger.url, SERVICE)).filter((t) =>
    t.spans.some((s) => tag(s, 'test.batch') === batch),
  );
  return traces.length >= n ? traces : undefined;
}

/** The batch's log entries once VictoriaLogs holds all `n` of them (polls; undefined until then). */
async function entriesOf(batch: string, n: number): Promise<LogEntry[] | undefined> {
  const entries = await logsQuery(logs.url, `event_name:=${JSON.stringify(EVENT)} AND "test.batch":=${batch}`);
  return entries.length >= n ? entries : undefined;
}

/** Starts otelcol-llm with one of collector/'s configs on loopback and waits for its health check. */
async function startOtelcol(name: string, config: string, env: Record<string, string>): Promise<Service> {
  const service = start(name, collectorBinary(repoRoot), ['--config', join(repoRoot, 'collector', config)], {
    logDir: workDir,
    env: { OTELCOL_LISTEN_HOST: '127.0.0.1', OTELCOL_METRICS_HOST: '127.0.0.1', ...env },
  });
  await waitForHttp(`http://127.0.0.1:${env.OTELCOL_HEALTH_PORT}/`, 30_000, service);
  return service;
}

beforeAll(async () => {
  const [jOtlpGrpc, jOtlpHttp, jQueryHttp, jQueryGrpc, vlPort, grpc, http, prom, health, self, ...gateway] =
    await freePorts(15);
  const [gGrpc, gHttp, gHealth, gSelf, noPrometheus] = gateway;
  [jaeger, logs] = await Promise.all([
    startJaeger(
      repoRoot,
      {
        otlpGrpc: jOtlpGrpc as number,
        otlpHttp: jOtlpHttp as number,
        queryHttp: jQueryHttp as number,
        queryGrpc: jQueryGrpc as number,
      },
      workDir,
    ),
    startVictoriaLogs(repoRoot, vlPort as number, workDir),
  ]);
  const stores = { OTELCOL_TRACES_ENDPOINT: jaeger.otlpGrpcEndpoint, OTELCOL_LOGS_ENDPOINT: logs.otlpLogsEndpoint };
  // The agent config, pointed at the two stores through its documented variables.
  collector = await startOtelcol('otelcol-llm', 'config.yaml', {
    OTLP_GRPC_PORT: String(grpc),
    OTLP_HTTP_PORT: String(http),
    OTELCOL_PROM_PORT: String(prom),
    OTELCOL_HEALTH_PORT: String(health),
    OTELCOL_METRICS_PORT: String(self),
    ...stores,
  });
  otlpUrl = `http://127.0.0.1:${http}`;
  promUrl = `http://127.0.0.1:${prom}/metrics`;
  selfUrl = `http://127.0.0.1:${self}/metrics`;
  // The gateway config too; its remote-write target is a port nobody listens on.
  await startOtelcol('otelcol-llm-gateway', 'gateway.yaml', {
    OTLP_GRPC_PORT: String(gGrpc),
    OTLP_HTTP_PORT: String(gHttp),
    OTELCOL_HEALTH_PORT: String(gHealth),
    OTELCOL_METRICS_PORT: String(gSelf),
    PRW_ENDPOINT: `http://127.0.0.1:${noPrometheus}/api/v1/write`,
    ...stores,
  });
  gatewayUrl = `http://127.0.0.1:${gHttp}`;
}, 120_000);

afterAll(async () => {
  await stopAll();
});

describe('logs and traces through the collector into real stores', () => {
  const first = makeCalls(N, 'first');

  it(
    `N=${N} spans reach Jaeger with the GenAI attributes`,
    async () => {
      await sendSpans(first);
      const traces = await eventually(`${N} traces in Jaeger`, 30_000, () => tracesOf('first', N));
      expect(traces.map((t) => t.traceID).sort()).toEqual(first.map((c) => c.traceId).sort());
      for (const trace of traces) {
        expect(trace.spans).toHaveLength(1);
        const span = trace.spans[0];
        if (!span) throw new Error('no span');
        const call = first.find((c) => c.traceId === trace.traceID);
        expect(span.spanID).toBe(call?.spanId);
        expect(span.operationName).toBe('chat gpt-4o-mini');
        expect(trace.processes[span.processID]?.serviceName).toBe(SERVICE);
        expect(tag(span, 'span.kind')).toBe('client');
        expect(tag(span, 'gen_ai.operation.name')).toBe('chat');
        expect(tag(span, 'gen_ai.provider.name')).toBe('openai');
        expect(tag(span, 'gen_ai.request.model')).toBe('gpt-4o-mini');
        expect(tag(span, 'gen_ai.response.model')).toBe('gpt-4o-mini-2024-07-18');
        expect(tag(span, 'gen_ai.usage.input_tokens')).toBe(call?.inputTokens);
        expect(tag(span, 'gen_ai.usage.output_tokens')).toBe(call?.outputTokens);
        expect(tag(span, 'server.port')).toBe(443);
      }
    },
    STEP_TIMEOUT_MS,
  );

  it(
    `N=${N} log records reach VictoriaLogs with the GenAI fields and the trace context`,
    async () => {
      await sendLogRecords(first);
      const entries = await eventually(`${N} log records in VictoriaLogs`, 30_000, () => entriesOf('first', N));
      expect(entries).toHaveLength(N);
      expect(entries.map((e) => e.trace_id).sort()).toEqual(first.map((c) => c.traceId).sort());
      for (const entry of entries) {
        const call = first.find((c) => c.traceId === entry.trace_id);
        expect(entry).toMatchObject({
          event_name: EVENT,
          severity_text: 'INFO',
          span_id: call?.spanId,
          'service.name': SERVICE,
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.response.id': `chatcmpl-${call?.spanId}`,
          'gen_ai.usage.input_tokens': String(call?.inputTokens),
          'gen_ai.usage.output_tokens': String(call?.outputTokens),
          'server.address': 'api.openai.com',
        });
        // No prompt or completion content was sent, and none appears.
        expect(Object.keys(entry).filter((k) => k.includes('message') || k.includes('content'))).toEqual([]);
      }
      // The service identifies the log stream (VL-Stream-Fields in config.yaml), not the pid or host.
      expect(entries[0]?._stream).toBe(`{deployment.environment.name="test",service.name="${SERVICE}"}`);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a log record's trace_id leads to its span in Jaeger; the README's queries work",
    async () => {
      const [entry] = (await entriesOf('first', N)) ?? [];
      const trace = await jaegerTrace(jaeger.url, entry?.trace_id ?? 'missing');
      expect(trace?.spans.map((s) => s.spanID)).toEqual([entry?.span_id]);
      // stores/README.md: calls of one model, by span name and tag.
      const byModel = await jaegerTraces(jaeger.url, SERVICE, {
        operation: 'chat gpt-4o-mini',
        tags: { 'gen_ai.request.model': 'gpt-4o-mini', 'test.batch': 'first' },
      });
      expect(byModel).toHaveLength(N);
      expect(await jaegerTraces(jaeger.url, SERVICE, { tags: { 'gen_ai.request.model': 'gpt-4o' } })).toEqual([]);
      // stores/README.md: tokens per model with LogsQL stats.
      const stats = await logsQuery(
        logs.url,
        `_time:1h event_name:=${JSON.stringify(EVENT)} "test.batch":=first | stats by (gen_ai.request.model) count() calls, sum(gen_ai.usage.input_tokens) input_tokens`,
      );
      const inputTokens = first.reduce((sum, c) => sum + c.inputTokens, 0);
      expect(stats).toEqual([
        { 'gen_ai.request.model': 'gpt-4o-mini', calls: String(N), input_tokens: String(inputTokens) },
      ]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'the gateway config forwards spans and log records to the same stores (its remote write failing)',
    async () => {
      const viaGateway = makeCalls(2, 'gateway');
      await Promise.all([sendSpans(viaGateway, gatewayUrl), sendLogRecords(viaGateway, gatewayUrl)]);
      // The gateway's batch processor waits up to 5 s for a fuller batch.
      const traces = await eventually('the gateway spans in Jaeger', 30_000, () => tracesOf('gateway', 2));
      const entries = await eventually('the gateway log records', 30_000, () => entriesOf('gateway', 2));
      const sent = viaGateway.map((c) => c.traceId).sort();
      expect(traces.map((t) => t.traceID).sort()).toEqual(sent);
      expect(entries.map((e) => e.trace_id).sort()).toEqual(sent);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'with Jaeger down, logs still arrive and the collector keeps serving metrics',
    async () => {
      await jaeger.service.stop();
      const second = makeCalls(N, 'second');
      // The collector still accepts spans (they wait in the bounded queue of the traces exporter).
      await sendSpans(second);
      await sendLogRecords(second);
      await sendProbeMetric(7);
      const entries = await eventually('the second batch of log records', 30_000, () => entriesOf('second', N));
      expect(entries.map((e) => e.trace_id).sort()).toEqual(second.map((c) => c.traceId).sort());
      const exposition = await eventually('the probe metric on /metrics', 30_000, async () => {
        const text = await (await fetch(promUrl)).text();
        return /^llm_stores_e2e_probe_total\{[^}]*\} 7$/m.test(text) ? text : undefined;
      });
      expect(exposition).toContain(`service_name="${SERVICE}"`);
      // The collector's own count agrees: every log record of both rounds was sent to the log store.
      await eventually(`otelcol_exporter_sent_log_records = ${2 * N}`, 30_000, async () => {
        const text = await (await fetch(selfUrl)).text();
        const sent = /^otelcol_exporter_sent_log_records\{[^}]*exporter="otlp_http\/logs"[^}]*\} (\d+)$/m.exec(text);
        return Number(sent?.[1]) === 2 * N ? true : undefined;
      });
      expect(collector.process.exitCode).toBeNull();
    },
    STEP_TIMEOUT_MS,
  );
});
