// `node --import @llm-otel/node/register app.mjs` with MLFLOW_TRACKING_URI set and no other change:
// the app's registration reaches MLflow and its llm_model_version follows the MLflow alias.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';
import { aliasTarget, rest } from './utils/rest.js';

let mlflow: MlflowServer;
let app: ChildProcess | undefined;

beforeAll(async () => {
  mlflow = await startMlflowServer();
}, 120_000);

afterAll(async () => {
  app?.kill();
  await mlflow?.stop();
});

/** The `llm_model_version` series of a Prometheus page that are 1, as `name@version`. */
async function deployed(url: string): Promise<string[]> {
  const page = await (await fetch(url)).text();
  const out: string[] = [];
  for (const line of page.split('\n')) {
    if (!line.startsWith('llm_model_version{') || !line.endsWith(' 1')) continue;
    const name = line.match(/llm_model_name="([^"]*)"/)?.[1];
    const version = line.match(/llm_model_version="([^"]*)"/)?.[1];
    out.push(`${name}@${version}`);
  }
  return out;
}

describe('zero-code MLflow model sync', () => {
  it('registers the app version in MLflow and follows the alias when it moves', async () => {
    const port = await freePort();
    app = spawn(
      process.execPath,
      ['--import', '@llm-otel/node/register', fileURLToPath(new URL('./fixtures/zero-code-app.mjs', import.meta.url))],
      {
        // @llm-otel/node/register resolves from the node package, as in an app that depends on it.
        cwd: fileURLToPath(new URL('../../node', import.meta.url)),
        env: {
          ...process.env,
          MLFLOW_TRACKING_URI: mlflow.url,
          LLM_OTEL_MLFLOW_POLL_INTERVAL_MS: '300',
          OTEL_SERVICE_NAME: 'zero-code-app',
          OTEL_METRICS_EXPORTER: 'prometheus',
          OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
          OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
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

    const WAIT = { timeout: 20_000, interval: 100 };
    await vi.waitFor(async () => expect(await aliasTarget(mlflow.url, 'zero-code')).toBeDefined(), WAIT);
    expect(await aliasTarget(mlflow.url, 'zero-code')).toMatchObject({
      version: '1',
      tags: {
        'llm_otel.version': 'v1',
        'llm_otel.model_hash': 'sha256:0a0b0c',
        'llm_otel.service_name': 'zero-code-app',
      },
    });
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    expect(await deployed(metricsUrl)).toContain('zero-code@v1');

    // A new version is promoted in MLflow: the running app follows it.
    await rest(mlflow.url, 'POST', 'model-versions/create', {
      name: 'zero-code',
      source: 'llm-otel://zero-code/v2',
      tags: [
        { key: 'llm_otel.version', value: 'v2' },
        { key: 'llm_otel.model_hash', value: 'sha256:0d0e0f' },
      ] as unknown as string,
    });
    await rest(mlflow.url, 'POST', 'registered-models/alias', { name: 'zero-code', alias: 'production', version: '2' });
    await vi.waitFor(async () => expect(await deployed(metricsUrl)).toEqual(['zero-code@v2']), WAIT);
    expect(stderr).not.toMatch(/MLflow|mlflow/);
  }, 60_000);
});
