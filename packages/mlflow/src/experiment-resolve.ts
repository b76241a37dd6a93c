import { backoffDelay, DEFAULT_RETRY, delay, type RetryOptions } from './backoff.js';
import type { MlflowClient } from './client.js';
import { MlflowError } from './errors.js';
import { ensureExperiment } from './tracking-api.js';

/** MLflow's own default experiment (id `0`), used when neither an id nor a name is set. */
export const DEFAULT_EXPERIMENT_NAME = 'Default';

/** Which experiment: an id (used as is) or a name (looked up, created if missing). */
export interface ExperimentChoice {
  /** An existing experiment's id; wins over the name. Env: `MLFLOW_EXPERIMENT_ID`. */
  experimentId?: string;
  /** The experiment's name, created if missing. Env: `MLFLOW_EXPERIMENT_NAME`; default `Default`. */
  experimentName?: string;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The experiment asked for by `choice`, then `MLFLOW_EXPERIMENT_ID` / `MLFLOW_EXPERIMENT_NAME`, then `Default`. */
export function experimentChoiceOf(
  choice: ExperimentChoice = {},
  env: NodeJS.ProcessEnv = process.env,
): { id: string } | { name: string } {
  const id = nonEmpty(choice.experimentId ?? env.MLFLOW_EXPERIMENT_ID);
  if (id !== undefined) return { id };
  return { name: nonEmpty(choice.experimentName ?? env.MLFLOW_EXPERIMENT_NAME) ?? DEFAULT_EXPERIMENT_NAME };
}

/** Options of {@link resolveExperimentId}. */
export interface ResolveExperimentOptions extends ExperimentChoice {
  /** Delays between tries while MLflow is unreachable (tries go on until `signal` aborts). */
  retry?: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs'>;
  /** Stops the retries: the promise then rejects with the last error. */
  signal?: AbortSignal;
  /** Told once per outage that MLflow did not answer (the app goes on; the caller decides how to log). */
  onUnreachable?: (error: MlflowError) => void;
}

/**
 * The id of the experiment asked for (see {@link experimentChoiceOf}): an id as is, without a
 * request; a name looked up and created when missing. While MLflow is unreachable (no answer, 429,
 * 5xx) it tries again with exponential backoff until `signal` aborts; a refusal (bad name, no
 * permission) rejects at once with the {@link MlflowError}.
 */
export async function resolveExperimentId(
  client: MlflowClient,
  options: ResolveExperimentOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const choice = experimentChoiceOf(options, env);
  if ('id' in choice) return choice.id;
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const signal = options.signal ?? new AbortController().signal;
  let reported = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureExperiment(client, choice.name);
    } catch (error) {
      if (!(error instanceof MlflowError) || !error.transient || signal.aborted) throw error;
      if (!reported) {
        reported = true;
        options.onUnreachable?.(error);
      }
      await delay(backoffDelay(attempt, { ...retry, attempts: Number.POSITIVE_INFINITY }), signal);
      if (signal.aborted) throw error;
    }
  }
}
