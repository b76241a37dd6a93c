import { diag } from '@opentelemetry/api';

/** Whether the MLflow integration is asked for: `MLFLOW_TRACKING_URI` set, and not `LLM_OTEL_MLFLOW=false`. */
export function mlflowWanted(env: NodeJS.ProcessEnv): boolean {
  if (/^(0|false|no|off)$/i.test(env.LLM_OTEL_MLFLOW ?? '')) return false;
  return (env.MLFLOW_TRACKING_URI ?? '').trim() !== '';
}

/** The lazily started sync: `ready` settles when the module loaded and the sync started (or failed to: logged). */
export interface MlflowHook {
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `@llm-otel/mlflow`'s model sync when `MLFLOW_TRACKING_URI` is set. The module is imported
 * lazily, only then, so start-up costs nothing otherwise. A bad MLflow setting is logged, never
 * thrown: the app runs without the sync. Returns the hook, or undefined when not wanted.
 */
export function startMlflowIfConfigured(
  serviceName: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): MlflowHook | undefined {
  if (!mlflowWanted(env)) return undefined;
  let stopped = false;
  let stop: (() => void) | undefined;
  const loading = import('@llm-otel/mlflow')
    .then((mlflow) => {
      if (stopped) return;
      const sync = mlflow.startModelSync({ serviceName }, env);
      stop = () => sync.stop();
    })
    .catch((error: unknown) => {
      diag.error(`@llm-otel/node: the MLflow model sync is not started: ${String(error)}`);
    });
  return {
    ready: loading,
    stop: async () => {
      stopped = true;
      await loading;
      stop?.();
    },
  };
}
