/**
 * MLflow for `pnpm demo:stack`: `mlflow server` from the venv of `pnpm mlflow:setup`
 * (scripts/mlflow-setup.sh), on loopback with a SQLite backend store (the venv's migrated template,
 * copied; MLflow ingests OTLP traces only with a SQL store), in its own process group so that
 * stopping it stops its workers too. Left out, with how to set it up, when the venv is missing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './processes.js';

/** The MLflow release `pnpm mlflow:setup` installs. */
export const MLFLOW_VERSION = '3.17.2';
/** The experiment the demo's service sends its calls' traces to (and its variants' runs, if it had any). */
export const DEMO_EXPERIMENT = 'llm-service';

/** The venv of scripts/mlflow-setup.sh (`LLM_OTEL_MLFLOW_VENV` or `~/.cache/llm-otel/mlflow-venv`). */
export function mlflowVenv(env: NodeJS.ProcessEnv = process.env): string {
  return env.LLM_OTEL_MLFLOW_VENV ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'llm-otel', 'mlflow-venv');
}

/** A running MLflow tracking server. */
export interface DemoMlflow {
  /** `http://127.0.0.1:<port>`: the UI and the value of `MLFLOW_TRACKING_URI`. */
  url: string;
  log: string;
  /** Stops the server's whole process group (SIGTERM, then SIGKILL after 10 s). Idempotent. */
  stop(): Promise<void>;
}

const groups = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

// A crashed demo must not leave MLflow's workers behind.
process.once('exit', () => {
  for (const child of groups) killGroup(child, 'SIGKILL');
});

/**
 * Starts MLflow on `port` when the venv is set up, and waits for `/health`. Without the venv it
 * says how to make it and returns undefined; a server that does not come up is left out with a
 * note. Either way the demo goes on (without MLflow).
 */
export async function startDemoMlflow(
  port: number,
  workDir: string,
  log: (line: string) => void = console.log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DemoMlflow | undefined> {
  const venv = mlflowVenv(env);
  if (!existsSync(join(venv, `.llm-otel-mlflow-${MLFLOW_VERSION}`))) {
    log(
      `MLflow ${MLFLOW_VERSION} is not set up (no venv in ${venv}).\n` +
        'Set it up with `pnpm mlflow:setup` (a few minutes the first time, then cached) and start the demo again\n' +
        "to see the calls' traces and the model versions in MLflow. Continuing without MLflow.",
    );
    return undefined;
  }
  const dir = join(workDir, 'mlflow');
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'mlflow.db');
  const template = join(venv, `template-${MLFLOW_VERSION}.db`);
  // The migrated template saves MLflow's schema migrations (tens of seconds).
  if (existsSync(template)) copyFileSync(template, db);
  const logFile = join(workDir, 'mlflow.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    join(venv, 'bin', 'mlflow'),
    [
      'server',
      ...['--host', '127.0.0.1', '--port', String(port)],
      ...['--backend-store-uri', `sqlite:///${db}`],
      ...['--artifacts-destination', join(dir, 'artifacts'), '--serve-artifacts'],
      ...['--workers', '1'],
    ],
    {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
    },
  );
  groups.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const url = `http://127.0.0.1:${port}`;
  const mlflow: DemoMlflow = {
    url,
    log: logFile,
    stop: () => {
      stopping ??= (async () => {
        killGroup(child, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
        clearTimeout(timer);
        // Workers that outlive the leader are in the same group.
        killGroup(child, 'SIGKILL');
        groups.delete(child);
      })();
      return stopping;
    },
  };
  try {
    await eventually(`MLflow at ${url}/health (see ${logFile})`, 120_000, async () => {
      if (child.exitCode !== null) throw new Error(`mlflow server exited (${child.exitCode}); see ${logFile}`);
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      return response.ok ? true : undefined;
    });
  } catch (error) {
    await mlflow.stop();
    log(`MLflow did not start, continuing without it: ${String(error)}`);
    return undefined;
  }
  return mlflow;
}

/** The variables that point the example service at MLflow: model sync, and the calls' traces in {@link DEMO_EXPERIMENT}. */
export function mlflowServiceEnv(mlflow: DemoMlflow): Record<string, string> {
  return {
    MLFLOW_TRACKING_URI: mlflow.url,
    LLM_OTEL_MLFLOW_TRACES: 'true',
    MLFLOW_EXPERIMENT_NAME: DEMO_EXPERIMENT,
    // The demo's aliases are followed within seconds, not a minute.
    LLM_OTEL_MLFLOW_POLL_INTERVAL_MS: '10000',
  };
}

/** The id of an experiment by name, or undefined while it does not exist. */
export async function experimentId(url: string, name: string): Promise<string | undefined> {
  const response = await fetch(
    `${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
  );
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  return ((await response.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id;
}

/** How many traces an experiment has (first page of MLflow 3's trace search, at most `max`). */
export async function traceCount(url: string, experiment: string, max = 100): Promise<number> {
  const response = await fetch(`${url}/api/3.0/mlflow/traces/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experiment } }],
      max_results: max,
    }),
  });
  if (!response.ok) throw new Error(`traces/search: ${response.status} ${await response.text()}`);
  return (((await response.json()) as { traces?: unknown[] }).traces ?? []).length;
}

/** What demo:stack prints about MLflow: its URL and where to look. */
export function mlflowWhereToLook(mlflow: DemoMlflow, experiment?: string): string {
  const experimentUrl =
    experiment === undefined ? `${mlflow.url}/#/experiments` : `${mlflow.url}/#/experiments/${experiment}/traces`;
  return [
    `  MLflow                 ${mlflow.url}  (log: ${mlflow.log})`,
    `                         the calls' traces: experiment "${DEMO_EXPERIMENT}", Traces tab: ${experimentUrl}`,
    `                         the service's models and their production alias: ${mlflow.url}/#/models`,
    `                         or: curl -s -X POST ${mlflow.url}/api/3.0/mlflow/traces/search -H 'content-type: application/json' \\`,
    `                               -d '{"locations":[{"type":"MLFLOW_EXPERIMENT","mlflow_experiment":{"experiment_id":"${experiment ?? '<id>'}"}}],"max_results":5}'`,
  ].join('\n');
}

/**
 * Once the service's first traces are in MLflow: prints how many, and the experiment's trace view.
 * A convenience of demo:stack (the URLs printed before work the same); gives up after `timeoutMs`.
 */
export async function printMlflowTraces(
  mlflow: DemoMlflow,
  log: (line: string) => void = console.log,
  timeoutMs = 60_000,
): Promise<void> {
  const [id, count] = await eventually(`traces in MLflow experiment "${DEMO_EXPERIMENT}"`, timeoutMs, async () => {
    const found = await experimentId(mlflow.url, DEMO_EXPERIMENT);
    if (found === undefined) return undefined;
    const traces = await traceCount(mlflow.url, found);
    return traces > 0 ? ([found, traces] as const) : undefined;
  });
  log(
    `\n  MLflow has the calls' traces (${count}${count === 100 ? '+' : ''} so far) in experiment "${DEMO_EXPERIMENT}" (id ${id}): ${mlflow.url}/#/experiments/${id}/traces`,
  );
}
