// The calls' traces in MLflow: an app with no telemetry code, started with
// `node --import @llm-otel/node/register`, MLFLOW_TRACKING_URI and LLM_OTEL_MLFLOW_TRACES=true, calls the
// model simulator through the real openai client; MLflow's own trace search must then show one
// trace per call in the experiment, with the call span's name and GenAI attributes and no content.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';
import { rest } from './utils/rest.js';

let mlflow: MlflowServer;
// No injected 429s or 500s: every call is answered, so every call has its trace.
const simulator = new ModelSimulator({ rateLimitRate: 0, serverErrorRate: 0 });
let modelUrl: string;
const apps: ChildProcess[] = [];
const laterServers: MlflowServer[] = [];

beforeAll(async () => {
  [mlflow, modelUrl] = await Promise.all([startMlflowServer(), simulator.start()]);
}, 120_000);

afterEach(() => {
  for (const app of apps.splice(0)) app.kill();
});

afterAll(async () => {
  await Promise.all([mlflow?.stop(), ...laterServers.map((s) => s.stop()), simulator.stop()]);
});

interface App {
  process: ChildProcess;
  /** Resolves with the app's summary line once its calls are done. */
  done: Promise<{ calls: number; answered: number }>;
  output(): string;
}

/** Starts test/fixtures/traces-app.mjs the zero-code way, with `env` over a base environment. */
function startApp(env: Record<string, string>): App {
  const child = spawn(
    process.execPath,
    ['--import', '@llm-otel/node/register', fileURLToPath(new URL('./fixtures/traces-app.mjs', import.meta.url))],
    {
      // @llm-otel/node/register resolves from the node package, as in an app that depends on it.
      cwd: fileURLToPath(new URL('../../node', import.meta.url)),
      env: {
        ...process.env,
        OPENAI_BASE_URL: `${modelUrl}/v1`,
        LLM_OTEL_MLFLOW_TRACES: 'true',
        OTEL_SERVICE_NAME: 'traces-app',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  apps.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const done = new Promise<{ calls: number; answered: number }>((resolve, reject) => {
    const check = () => {
      const line = out.split('\n').find((l) => l.startsWith('{"calls"'));
      if (line !== undefined) resolve(JSON.parse(line));
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      check();
      reject(new Error(`app exited (${code}) before its calls were done:\n${out}`));
    });
  });
  return { process: child, done, output: () => out };
}

interface TraceInfo {
  trace_id: string;
  trace_location: { mlflow_experiment: { experiment_id: string } };
  state: string;
  trace_metadata?: Record<string, string>;
  tags?: Record<string, string>;
}

/** MLflow 3's trace search (`POST /api/3.0/mlflow/traces/search`) over one experiment. */
async function searchTraces(experimentId: string, server = mlflow): Promise<TraceInfo[]> {
  const response = await fetch(`${server.url}/api/3.0/mlflow/traces/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }],
      max_results: 100,
    }),
  });
  if (!response.ok) throw new Error(`traces/search: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { traces?: TraceInfo[] }).traces ?? [];
}

interface MlflowSpan {
  name: string;
  attributes: Array<{ key: string; value: { string_value?: string; int_value?: string | number } }>;
}

/** One trace with its spans (`GET /api/3.0/mlflow/traces/get`), and its raw JSON. */
async function getTrace(traceId: string): Promise<{ spans: MlflowSpan[]; raw: string }> {
  const response = await fetch(`${mlflow.url}/api/3.0/mlflow/traces/get?trace_id=${encodeURIComponent(traceId)}`);
  const raw = await response.text();
  if (!response.ok) throw new Error(`traces/get: ${response.status} ${raw}`);
  return { spans: (JSON.parse(raw) as { trace: { spans: MlflowSpan[] } }).trace.spans, raw };
}

function attributesOf(span: MlflowSpan): Record<string, string | number | undefined> {
  return Object.fromEntries(
    span.attributes.map((a) => [
      a.key,
      a.value.string_value ?? (a.value.int_value !== undefined ? Number(a.value.int_value) : undefined),
    ]),
  );
}

async function experimentIdOf(name: string, server = mlflow): Promise<string> {
  const body = await rest(server.url, 'GET', 'experiments/get-by-name', { experiment_name: name });
  return (body.experiment as { experiment_id: string }).experiment_id;
}

/** `llm_otel_dropped_events_total` of the MLflow exporter on a Prometheus page (0 when absent). */
async function mlflowDrops(metricsUrl: string): Promise<number> {
  const page = await (await fetch(metricsUrl)).text();
  const line = page
    .split('\n')
    .find((l) => l.startsWith('llm_otel_dropped_events_total{') && l.includes('llm_otel_exporter="mlflow"'));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

const WAIT = { timeout: 30_000, interval: 250 };

describe('the calls traces in MLflow', () => {
  it('N calls become N traces of the named experiment (created), with the span name and GenAI attributes, and no content', async () => {
    const marker = 'secret-marker-4711';
    const app = startApp({
      MLFLOW_TRACKING_URI: mlflow.url,
      MLFLOW_EXPERIMENT_NAME: 'llm-calls',
      CALLS: '5',
      CONTENT_MARKER: marker,
      EXIT_AFTER_CALLS: 'true',
    });
    expect(await app.done).toEqual({ calls: 5, answered: 5 });
    // The app exits when its calls are done: register()'s exit hook sends what is left.
    const [code] = (await once(app.process, 'exit')) as [number];
    expect(code, app.output()).toBe(0);

    const experimentId = await experimentIdOf('llm-calls');
    const traces = await vi.waitFor(async () => {
      const found = await searchTraces(experimentId);
      expect(found).toHaveLength(5);
      return found;
    }, WAIT);
    for (const info of traces) {
      expect(info.trace_location.mlflow_experiment.experiment_id).toBe(experimentId);
      expect(info.state).toBe('OK');
      expect(info.tags?.['service.name']).toBe('traces-app');
      const usage = JSON.parse(info.trace_metadata?.['mlflow.trace.tokenUsage'] ?? '{}') as Record<string, number>;
      expect(usage.input_tokens).toBeGreaterThan(0);
      expect(usage.output_tokens).toBeGreaterThan(0);

      const { spans, raw } = await getTrace(info.trace_id);
      expect(spans.map((s) => s.name)).toEqual(['chat gpt-4o-mini']);
      const attributes = attributesOf(spans[0] as MlflowSpan);
      expect(attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        // The simulator is a loopback OpenAI-compatible server.
        'gen_ai.provider.name': 'openai_compatible',
        'gen_ai.request.model': 'gpt-4o-mini',
      });
      expect(attributes['gen_ai.usage.input_tokens']).toBe(usage.input_tokens);
      expect(attributes['gen_ai.usage.output_tokens']).toBe(usage.output_tokens);
      // Spans never carry the messages (content goes to the opt-in log records only).
      expect(raw).not.toContain(marker);
    }
    // Nothing went to MLflow's Default experiment.
    expect(await searchTraces('0')).toEqual([]);
    expect(app.output()).not.toMatch(/error|warn/i);
  }, 90_000);

  it('goes to MLFLOW_EXPERIMENT_ID beside an OTEL_TRACES_EXPORTER exporter (both get the spans)', async () => {
    const created = await rest(mlflow.url, 'POST', 'experiments/create', { name: 'by-id' });
    const experimentId = String(created.experiment_id);
    const app = startApp({
      MLFLOW_TRACKING_URI: mlflow.url,
      MLFLOW_EXPERIMENT_ID: experimentId,
      OTEL_TRACES_EXPORTER: 'console',
      CALLS: '2',
      EXIT_AFTER_CALLS: 'true',
    });
    expect(await app.done).toEqual({ calls: 2, answered: 2 });
    await once(app.process, 'exit');
    await vi.waitFor(async () => expect(await searchTraces(experimentId)).toHaveLength(2), WAIT);
    // The console exporter printed the same two spans.
    expect(app.output().match(/name: 'chat gpt-4o-mini'/g)).toHaveLength(2);
  }, 60_000);

  it('MLflow down: the app keeps working; failed batches are dropped and counted', async () => {
    const [deadPort, metricsPort] = [await freePort(), await freePort()];
    const app = startApp({
      MLFLOW_TRACKING_URI: `http://127.0.0.1:${deadPort}`,
      MLFLOW_EXPERIMENT_ID: '0',
      OTEL_LOG_LEVEL: 'warn',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      CALLS: '3',
    });
    expect(await app.done).toEqual({ calls: 3, answered: 3 });
    await vi.waitFor(async () => expect(await mlflowDrops(`http://127.0.0.1:${metricsPort}/metrics`)).toBe(3), WAIT);
    expect(app.output()).toContain("the calls' traces could not be sent to MLflow");
  }, 60_000);

  it('MLflow down at start: spans wait in the bounded queue (the overflow counted) and reach MLflow when it comes up', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const app = startApp({
      MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}`,
      MLFLOW_EXPERIMENT_NAME: 'late-server',
      OTEL_BSP_MAX_QUEUE_SIZE: '3',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      CALLS: '5',
    });
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    expect(await app.done).toEqual({ calls: 5, answered: 5 });
    // Three spans wait for the experiment; the other two found the queue full.
    await vi.waitFor(async () => expect(await mlflowDrops(metricsUrl)).toBe(2), WAIT);

    const late = await startMlflowServer({ port });
    laterServers.push(late);
    const experimentId = await vi.waitFor(() => experimentIdOf('late-server', late), {
      timeout: 90_000,
      interval: 500,
    });
    await vi.waitFor(async () => expect(await searchTraces(experimentId, late)).toHaveLength(3), WAIT);
    expect(await mlflowDrops(metricsUrl)).toBe(2);
  }, 200_000);

  it('a tracking URI that is not MLflow (the experiment can not be resolved): logged, the spans dropped and counted', async () => {
    const metricsPort = await freePort();
    const app = startApp({
      // The model simulator answers 404 to MLflow's API: a refusal, not an outage, so it is not retried.
      MLFLOW_TRACKING_URI: modelUrl,
      MLFLOW_EXPERIMENT_NAME: 'nowhere',
      OTEL_LOG_LEVEL: 'error',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      CALLS: '4',
    });
    expect(await app.done).toEqual({ calls: 4, answered: 4 });
    await vi.waitFor(async () => expect(await mlflowDrops(`http://127.0.0.1:${metricsPort}/metrics`)).toBe(4), WAIT);
    expect(app.output()).toContain("the MLflow experiment of the calls' traces could not be resolved");
  }, 60_000);

  it("an app with its own TracerProvider and @llm-otel/node's mlflowSpanProcessor() on it", async () => {
    const run = spawn(
      process.execPath,
      [fileURLToPath(new URL('../../node/test/fixtures/mlflow-own-provider-app.mjs', import.meta.url))],
      {
        env: { ...process.env, MLFLOW_TRACKING_URI: mlflow.url, MLFLOW_EXPERIMENT_NAME: 'own-provider', CALLS: '3' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    apps.push(run);
    let out = '';
    run.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    run.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const [code] = (await once(run, 'exit')) as [number];
    expect(code, out).toBe(0);
    expect(out).toContain('{"calls":3}');
    const experimentId = await experimentIdOf('own-provider');
    const traces = await vi.waitFor(async () => {
      const found = await searchTraces(experimentId);
      expect(found).toHaveLength(3);
      return found;
    }, WAIT);
    const inputs = traces.map(
      (t) =>
        (JSON.parse(t.trace_metadata?.['mlflow.trace.tokenUsage'] ?? '{}') as { input_tokens: number }).input_tokens,
    );
    expect(inputs.sort()).toEqual([10, 11, 12]);
  }, 60_000);
});
