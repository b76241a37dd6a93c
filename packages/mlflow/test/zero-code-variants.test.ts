// `node --import @llm-otel/node/register app.mjs` with MLFLOW_TRACKING_URI and MLFLOW_EXPERIMENT_NAME
// set: the app's prompt variants get their runs in MLflow without further set-up.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';
import { rest } from './utils/rest.js';

let mlflow: MlflowServer;
let app: ChildProcess | undefined;

beforeAll(async () => {
  mlflow = await startMlflowServer();
}, 120_000);

afterAll(async () => {
  app?.kill();
  await mlflow?.stop();
});

interface Run {
  info: { run_name: string };
  data: { params?: Array<{ key: string; value: string }>; metrics?: Array<{ key: string; value: number }> };
}

async function runs(): Promise<Run[]> {
  const experiment = await rest(mlflow.url, 'GET', 'experiments/get-by-name', {
    experiment_name: 'zero-code-exp',
  }).catch(() => undefined);
  if (experiment === undefined) return [];
  const id = (experiment.experiment as { experiment_id: string }).experiment_id;
  const body = await rest(mlflow.url, 'POST', 'runs/search', { experiment_ids: [id] } as never);
  return (body.runs ?? []) as Run[];
}

const asObject = (list: Array<{ key: string; value: unknown }> = []) =>
  Object.fromEntries(list.map((e) => [e.key, e.value]));

describe('zero-code experiment tracking', () => {
  it('the variants of an app started with --import @llm-otel/node/register get a run each, with exact counts', async () => {
    app = spawn(
      process.execPath,
      ['--import', '@llm-otel/node/register', fileURLToPath(new URL('./fixtures/variant-app.mjs', import.meta.url))],
      {
        cwd: fileURLToPath(new URL('../../node', import.meta.url)),
        env: {
          ...process.env,
          MLFLOW_TRACKING_URI: mlflow.url,
          MLFLOW_EXPERIMENT_NAME: 'zero-code-exp',
          LLM_OTEL_MLFLOW_FLUSH_INTERVAL_MS: '300',
          OTEL_SERVICE_NAME: 'variant-app',
          OTEL_METRICS_EXPORTER: 'none',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    app.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [line] = (await Promise.race([
      once(app.stdout as NodeJS.ReadableStream, 'data'),
      once(app, 'exit').then(() => {
        throw new Error(`app exited: ${stderr}`);
      }),
    ])) as [Buffer];
    expect(line.toString()).toContain('ready');

    await vi.waitFor(
      async () => {
        const byName = Object.fromEntries((await runs()).map((r) => [r.info.run_name, r]));
        expect(asObject(byName.short?.data.metrics)).toMatchObject({ calls: 12, errors: 3, error_ratio: 0.25 });
        expect(asObject(byName.long?.data.metrics)).toMatchObject({ calls: 8, errors: 4, error_ratio: 0.5 });
      },
      { timeout: 30_000, interval: 200 },
    );
    const byName = Object.fromEntries((await runs()).map((r) => [r.info.run_name, r]));
    expect(asObject(byName.short?.data.params)).toEqual({
      variant: 'short',
      template_version: 'v1',
      temperature: '0.1',
    });
    expect(asObject(byName.long?.data.params)).toEqual({ variant: 'long', template_version: 'v7', temperature: '1' });
    expect(asObject(byName.long?.data.metrics)).toMatchObject({ latency_p50_seconds: 1.5, input_tokens: 80 });
    expect(stderr).not.toMatch(/MLflow|mlflow|context manager/);
  }, 90_000);
});
