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

/** Creates a run of the experiment; returns its id. */
export async function createRun(
  client: MlflowClient,
  experimentId: string,
  runName: string,
  startTime: number,
  tags: MlflowParam[],
): Promise<string> {
  const body = await client.post('runs/create', {
    experiment_id: experimentId,
    run_name: runName,
    start_time: startTime,
    tags,
  });
  const run = body.run as { info?: { run_id?: string } } | undefined;
  const id = run?.info?.run_id;
  if (typeof id !== 'string') throw new MlflowError(200, 'BAD_RESPONSE', 'POST runs/create', 'no run id in the answer');
  return id;
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
