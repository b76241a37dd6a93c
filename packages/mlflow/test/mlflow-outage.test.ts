// "MLflow down for a minute under load" (issue 14's proof): an app started with
// `--import @llm-otel/node/register` and MLFLOW_TRACKING_URI makes real openai calls to the model
// simulator in a loop, under two prompt variants, with model sync, variant tracking and artifacts
// on. The MLflow server is stopped (its whole process group) for LLM_OTEL_MLFLOW_OUTAGE_SECONDS
// (default 60) and started again on the same port and store. The app must throw nothing, keep its
// latency and memory (compared with its own numbers before the outage, same run), keep the backlog
// bounded (drops counted), and deliver metrics, artifacts and a deployment made during the outage
// once MLflow is back.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VariantTrackingStatus } from '../src/index.js';
import { freePort, type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';
import { aliasTarget, rest } from './utils/rest.js';

const OUTAGE_SECONDS = Number(process.env.LLM_OTEL_MLFLOW_OUTAGE_SECONDS ?? 60);
const BEFORE_SECONDS = 15;
const MAX_RECORDS = 40;
const EXPERIMENT = 'outage-exp';
const SECRET = 'acct-58e1d09b';

/** One line of the app's stats (see fixtures/outage-app.mjs). */
interface Stats {
  t: number;
  n: number;
  p50: number | null;
  p90: number | null;
  heap: number;
  rss: number;
  errors: number;
  total: number;
  perVariant: Record<string, number>;
  tracking: VariantTrackingStatus | undefined;
}

let mlflow: MlflowServer | undefined;
let port = 0;
let dataDir = '';
let app: ChildProcess | undefined;
const simulator = new ModelSimulator({
  firstTokenMedianMs: 25,
  perTokenMedianMs: 0.5,
  completionTokensMedian: 30,
  rateLimitRate: 0,
  serverErrorRate: 0,
  // No simulated account limits: every call of the app succeeds, so any failure is ours.
  requestsPerMinute: 0,
});
const stats: Stats[] = [];
let stderr = '';

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'llm-otel-mlflow-outage-'));
  port = await freePort();
  mlflow = await startMlflowServer({ port, dataDir });
}, 120_000);

afterAll(async () => {
  app?.kill('SIGKILL');
  await mlflow?.stop();
  await simulator.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function startApp(baseUrl: string, mlflowUrl: string): Promise<void> {
  app = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      '@llm-otel/node/register',
      fileURLToPath(new URL('./fixtures/outage-app.mjs', import.meta.url)),
    ],
    {
      cwd: fileURLToPath(new URL('../../node', import.meta.url)),
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: mlflowUrl,
        MLFLOW_EXPERIMENT_NAME: EXPERIMENT,
        MLFLOW_HTTP_REQUEST_TIMEOUT: '5',
        LLM_OTEL_MLFLOW_FLUSH_INTERVAL_MS: '500',
        LLM_OTEL_MLFLOW_POLL_INTERVAL_MS: '2000',
        LLM_OTEL_MLFLOW_ARTIFACTS: 'true',
        LLM_OTEL_MLFLOW_ARTIFACT_SAMPLE_RATE: '0.5',
        LLM_OTEL_MLFLOW_ARTIFACT_MAX_RECORDS: String(MAX_RECORDS),
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
        OTEL_SERVICE_NAME: 'outage-app',
        OTEL_METRICS_EXPORTER: 'none',
        OPENAI_BASE_URL: `${baseUrl}/v1`,
        OUTAGE_SECRET: SECRET,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  app.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    app?.once('exit', (code) => reject(new Error(`app exited with ${code}: ${stderr}`)));
    createInterface({ input: app?.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const parsed = JSON.parse(line) as Stats & { ready?: boolean };
      if (parsed.ready) resolve();
      else stats.push(parsed);
    });
  });
}

const latest = () => stats.at(-1) as Stats;
const between = (from: number, to: number) => stats.filter((s) => s.t >= from && s.t < to);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const max = (values: number[]) => Math.max(...values);

async function runsByName() {
  const experiment = await rest(mlflow?.url ?? '', 'GET', 'experiments/get-by-name', { experiment_name: EXPERIMENT });
  const id = (experiment.experiment as { experiment_id: string }).experiment_id;
  const body = await rest(mlflow?.url ?? '', 'POST', 'runs/search', { experiment_ids: [id] } as never);
  const runs = (body.runs ?? []) as Array<{
    info: { run_id: string; run_name: string; artifact_uri: string };
    data: { metrics?: Array<{ key: string; value: number }> };
  }>;
  return Object.fromEntries(runs.map((r) => [r.info.run_name, r]));
}

/** The text of every sample file of a run (the artifact proxy, as another tool would read it). */
async function sampleFiles(runId: string, variant: string): Promise<string[]> {
  const base = mlflow?.url ?? '';
  const listed = await rest(base, 'GET', 'artifacts/list', { run_id: runId, path: `samples/${variant}` });
  const root = String(listed.root_uri).replace('mlflow-artifacts:/', '');
  const files = (listed.files ?? []) as Array<{ path: string }>;
  return Promise.all(
    files.map(async (f) => (await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${root}/${f.path}`)).text()),
  );
}

describe('MLflow down for a minute under load', () => {
  it(`the app keeps its latency and memory, throws nothing, bounds the backlog and delivers after the restart (outage ${OUTAGE_SECONDS} s)`, async () => {
    const simulatorUrl = await simulator.start();
    await startApp(simulatorUrl, mlflow?.url ?? '');
    // Healthy first: both runs, their templates and a sample file each are in MLflow.
    await vi.waitFor(
      () => {
        expect(latest()?.tracking).toMatchObject({ runs: 2, artifacts: { templates: 2 } });
        expect(latest().tracking?.artifacts?.files).toBeGreaterThanOrEqual(2);
      },
      { timeout: 60_000, interval: 250 },
    );

    const before = Date.now();
    await sleep(BEFORE_SECONDS * 1000);
    const down = Date.now();
    await mlflow?.stop();
    const atDown = latest();
    await sleep((OUTAGE_SECONDS * 1000) / 2);
    // A deployment while MLflow is down.
    app?.stdin?.write('register v2\n');
    await sleep((OUTAGE_SECONDS * 1000) / 2);
    const restarting = Date.now();
    const atRestart = latest();
    mlflow = await startMlflowServer({ port, dataDir });
    const up = Date.now();

    // Delivered after the restart: points, the outage's kept samples, the deployment made meanwhile.
    await vi.waitFor(
      async () => {
        const s = latest().tracking;
        expect(s?.reachable).toBe(true);
        expect(s?.delivered).toBeGreaterThan(atRestart.tracking?.delivered ?? 0);
        expect(s?.artifacts?.files).toBeGreaterThan(atRestart.tracking?.artifacts?.files ?? 0);
        expect((await aliasTarget(mlflow?.url ?? '', 'outage-model'))?.tags['llm_otel.version']).toBe('v2');
      },
      { timeout: 60_000, interval: 500 },
    );
    await sleep(2000);
    const end = Date.now();

    const beforeStats = between(before, down);
    const outageStats = between(down + 1000, restarting);
    const lastOutage = outageStats.slice(-10);
    const summary = {
      outageSeconds: Math.round((up - down) / 1000),
      callsPerSecond: { before: rate(beforeStats), outage: rate(outageStats), after: rate(between(up, end)) },
      p50Ms: { before: median(p(beforeStats, 'p50')), outage: median(p(outageStats, 'p50')) },
      p90Ms: { before: median(p(beforeStats, 'p90')), outage: median(p(outageStats, 'p90')) },
      heapMiB: { before: mib(max(beforeStats.map((s) => s.heap))), outageEnd: mib(max(lastOutage.map((s) => s.heap))) },
      rssMiB: { before: mib(max(beforeStats.map((s) => s.rss))), outageEnd: mib(max(lastOutage.map((s) => s.rss))) },
      atDown: atDown.tracking,
      atRestart: atRestart.tracking,
      final: latest().tracking,
    };
    console.log(JSON.stringify(summary, null, 1));

    // The app threw nothing and is still serving; none of its calls failed.
    expect(app?.exitCode).toBeNull();
    expect(latest().errors, stderr).toBe(0);
    expect(stderr).not.toMatch(/Error|Unhandled|exception/i);
    expect(summary.callsPerSecond.outage).toBeGreaterThan(summary.callsPerSecond.before / 3);

    // Latency and memory flat (generous factors; both sides measured in this run).
    expect(summary.p50Ms.outage).toBeLessThan(3 * summary.p50Ms.before);
    expect(summary.p90Ms.outage).toBeLessThan(5 * summary.p90Ms.before);
    expect(summary.heapMiB.outageEnd).toBeLessThan(1.5 * summary.heapMiB.before);
    expect(summary.rssMiB.outageEnd).toBeLessThan(1.5 * summary.rssMiB.before);

    // The backlog stayed bounded: at most one point per variant, at most one file of records per
    // variant; what did not fit was dropped and counted.
    for (const s of outageStats) {
      expect(s.tracking?.pending).toBeLessThanOrEqual(2);
      expect(s.tracking?.artifacts?.pendingRecords).toBeLessThanOrEqual(2 * MAX_RECORDS);
    }
    expect(atRestart.tracking?.reachable).toBe(false);
    expect(atRestart.tracking?.dropped).toBeGreaterThan(atDown.tracking?.dropped ?? 0);
    expect(atRestart.tracking?.artifacts?.dropped).toBeGreaterThan(atDown.tracking?.artifacts?.dropped ?? 0);
    expect(atRestart.tracking?.artifacts?.pendingRecords).toBeGreaterThan(0);

    // In MLflow: the same runs, whose cumulative totals count every call made before the restart.
    const runs = await runsByName();
    for (const name of ['terse', 'chatty']) {
      const run = runs[name];
      const calls = run?.data.metrics?.find((m) => m.key === 'calls')?.value ?? 0;
      expect(calls).toBeGreaterThanOrEqual(atRestart.perVariant[name] ?? Number.POSITIVE_INFINITY);
      // Samples taken during the outage were kept and delivered; the redaction hook's removals are absent.
      const texts = await sampleFiles(run?.info.run_id ?? '', name);
      const times = texts.flatMap((t) =>
        t
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => Date.parse((JSON.parse(l) as { time: string }).time)),
      );
      expect(times.some((time) => time > down && time < restarting)).toBe(true);
      const all = texts.join('\n');
      expect(all).not.toContain(SECRET);
      expect(all).toContain('[redacted]');
    }
  }, 300_000);
});

/** Calls per second over stats lines (one line a second). */
const rate = (list: Stats[]) => Math.round(list.reduce((total, s) => total + s.n, 0) / Math.max(1, list.length));
const p = (list: Stats[], key: 'p50' | 'p90') => list.map((s) => s[key]).filter((v): v is number => v !== null);
const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
