// A real MLflow tracking server for the tests: `mlflow server` from the venv that
// scripts/mlflow-setup.sh makes (`pnpm mlflow:setup`), on 127.0.0.1 and a free port, with a SQLite
// backend store (a copy of the migrated template) and served artifacts in a temp dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const MLFLOW_VERSION = '3.17.2';

/** The venv of scripts/mlflow-setup.sh, or a clear error saying how to make it. */
export function mlflowVenv(): string {
  const venv =
    process.env.LLM_OTEL_MLFLOW_VENV ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'llm-otel', 'mlflow-venv');
  if (!existsSync(join(venv, `.llm-otel-mlflow-${MLFLOW_VERSION}`)))
    throw new Error(`MLflow ${MLFLOW_VERSION} is not set up in ${venv}: run 'pnpm mlflow:setup' first`);
  return venv;
}

/** A port nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface MlflowServer {
  /** `http://127.0.0.1:<port>`, the value for MLFLOW_TRACKING_URI. */
  readonly url: string;
  readonly port: number;
  /** The server's output so far (for failure messages). */
  logs(): string;
  /** Stops the server's whole process group (gunicorn/uvicorn workers, job runners). Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** A fixed port (e.g. to start the server where an app already looks for it). Default: a free one. */
  port?: number;
  /** How long to wait for `/health`. Default 90 s (a cold start on a busy 2-core machine is slow). */
  timeoutMs?: number;
  /**
   * The directory of the backend store and artifacts, kept by stop(): a server started again on it
   * has the same runs and models (MLflow restarted, not replaced). Default: a new temp dir, removed.
   */
  dataDir?: string;
  /**
   * Serve artifacts through the tracking server (default true). False: `--no-serve-artifacts` with
   * a local `--default-artifact-root`, so runs' artifact URIs are plain paths, not `mlflow-artifacts:/`.
   */
  serveArtifacts?: boolean;
}

/** Starts `mlflow server` and resolves when `/health` answers; rejects with its output when it exits or times out. */
export async function startMlflowServer(options: StartOptions = {}): Promise<MlflowServer> {
  const venv = mlflowVenv();
  const port = options.port ?? (await freePort());
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'llm-otel-mlflow-'));
  const db = join(dir, 'mlflow.db');
  const template = join(venv, `template-${MLFLOW_VERSION}.db`);
  // The migrated template saves MLflow's schema migrations (tens of seconds) on every start.
  if (existsSync(template) && !existsSync(db)) copyFileSync(template, db);
  const logFile = join(dir, 'server.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    join(venv, 'bin', 'mlflow'),
    [
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--backend-store-uri',
      `sqlite:///${db}`,
      ...(options.serveArtifacts === false
        ? ['--no-serve-artifacts', '--default-artifact-root', join(dir, 'artifacts')]
        : ['--artifacts-destination', join(dir, 'artifacts'), '--serve-artifacts']),
      '--workers',
      '1',
    ],
    {
      // Its own process group, so stop() reaches every worker it forks.
      detached: true,
      stdio: ['ignore', out, out],
      // The integration needs no server-side jobs; without them the server starts fewer processes.
      env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const server: MlflowServer = {
    url,
    port,
    logs,
    stop: () => {
      stopping ??= stopGroup(child, exited).finally(() => {
        if (options.dataDir === undefined) rmSync(dir, { recursive: true, force: true });
      });
      return stopping;
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let gone: number | null | undefined;
  void exited.then((code) => {
    gone = code;
  });
  while (true) {
    if (gone !== undefined) {
      await server.stop();
      throw new Error(`mlflow server exited with code ${gone} before it was healthy:\n${logs().slice(-4000)}`);
    }
    if (await healthy(url)) return server;
    if (Date.now() > deadline) {
      const output = logs();
      await server.stop();
      throw new Error(
        `mlflow server not healthy at ${url} within ${options.timeoutMs ?? 90_000} ms:\n${output.slice(-4000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** SIGTERM to the group, SIGKILL to what is left after 10 s (or once the leader exited). */
async function stopGroup(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  killGroup(child, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
  clearTimeout(timer);
  // Workers that outlive the leader are in the same group.
  killGroup(child, 'SIGKILL');
}
