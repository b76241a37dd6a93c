import type { MlflowClient } from './client.js';
import { MlflowError } from './errors.js';

/** The experiment, run, param and metric endpoints the experiment tracking uses, on {@link MlflowClient}. */

/** An MLflow experiment (the fields used here). */
export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  lifecycle_stage?: string;
}

/** A metric point of `runs/log-batch`. */
export interface MlflowMetric {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

/** A param or tag of a run. */
export interface MlflowParam {
  key: string;
  value: string;
}

/** The experiment named `name`, or undefined when there is none. */
export async function getExperimentByName(client: MlflowClient, name: string): Promise<MlflowExperiment | undefined> {
  try {
    const body = await client.get('experiments/get-by-name', { experiment_name: name });
    return body.experiment as MlflowExperiment;
  } catch (error) {
    if (error instanceof MlflowError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
    throw error;
  }
}

/** The id of the experiment named `name`, created when missing (another process creating it meanwhile is fine). */
export async function ensureExperiment(client: MlflowClient, name: string): Promise<string> {
  const found = await getExperimentByName(client, name);
  if (found !== undefined) return found.experiment_id;
  try {
    const body = await client.post('experiments/create', { name });
    return String(body.experiment_id);
  } catch (error) {
    if (!(error instanceof MlflowError && error.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw error;
    const raced = await getExperimentByName(client, name);
    if (raced === undefined) throw error;
    return raced.experiment_id;
  }
}

/** A run's info as MLflow returns it (the fields used here). */
export interface MlflowRunInfo {
  run_id: string;
  experiment_id?: string;
  run_name?: string;
  status?: string;
  /** Where the run's artifacts go, e.g. `mlflow-artifacts:/1/<run_id>/artifacts` with the artifact proxy. */
  artifact_uri?: string;
}

/** Creates a run of the experiment; returns its id. */
export async function createRun(
  client: MlflowClient,
  experimentId: string,
  runName: string,
  startTime: number,
  tags: MlflowParam[],
): Promise<string> {
  return (await createRunInfo(client, experimentId, runName, startTime, tags)).run_id;
}

/** Creates a run of the experiment; returns its info (id and artifact URI). */
export async function createRunInfo(
  client: MlflowClient,
  experimentId: string,
  runName: string,
  startTime: number,
  tags: MlflowParam[],
): Promise<MlflowRunInfo> {
  const body = await client.post('runs/create', {
    experiment_id: experimentId,
    run_name: runName,
    start_time: startTime,
    tags,
  });
  return runInfoOf(body, 'POST runs/create');
}

/** A run's info (see `isNotFound` for a missing run). */
export async function getRun(client: MlflowClient, runId: string): Promise<MlflowRunInfo> {
  return runInfoOf(await client.get('runs/get', { run_id: runId }), 'GET runs/get');
}

function runInfoOf(body: Record<string, unknown>, endpoint: string): MlflowRunInfo {
  const info = (body.run as { info?: MlflowRunInfo } | undefined)?.info;
  if (typeof info?.run_id !== 'string') throw new MlflowError(200, 'BAD_RESPONSE', endpoint, 'no run id in the answer');
  return info;
}

/** Logs metrics, params and tags of a run in one request (MLflow's limits: 1000 metrics, 100 params, 100 tags). */
export async function logBatch(
  client: MlflowClient,
  runId: string,
  metrics: MlflowMetric[],
  params: MlflowParam[] = [],
  tags: MlflowParam[] = [],
): Promise<void> {
  await client.post('runs/log-batch', { run_id: runId, metrics, params, tags });
}

/** Ends a run: status `FINISHED` (or another terminal status) and its end time. */
export async function endRun(client: MlflowClient, runId: string, endTime: number, status = 'FINISHED'): Promise<void> {
  await client.post('runs/update', { run_id: runId, status, end_time: endTime });
}
