import { getLlmMetrics, type Variant, type VariantCall, type VariantSink } from '@llm-otel/core';
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
 * Starts `@llm-otel/mlflow`'s model sync, experiment tracking and A/B comparison logging when `MLFLOW_TRACKING_URI` is set. The module is imported
 * lazily, only then, so start-up costs nothing otherwise. A bad MLflow setting is logged, never
 * thrown: the app runs without the sync. Returns the hook, or undefined when not wanted.
 */
export function startMlflowIfConfigured(
  serviceName: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): MlflowHook | undefined {
  if (!mlflowWanted(env)) return undefined;
  let stopped = false;
  let stop: (() => Promise<void> | undefined) | undefined;
  // Calls under a variant made while the module loads (an app that starts serving at once) are kept
  // here, bounded, and handed to the experiment tracking when it starts.
  const early = new EarlyVariantSink();
  const metrics = getLlmMetrics();
  if (metrics.getVariantSink() === undefined) metrics.setVariantSink(early);
  const loading = import('@llm-otel/mlflow')
    .then((mlflow) => {
      if (stopped) return;
      // First: it checks the connection settings (a bad one is logged once, below, and starts nothing).
      const sync = mlflow.startModelSync({ serviceName }, env);
      // The experiment tracking of prompt variants: idle (no request to MLflow) until a variant is used.
      let tracking: { stop(): Promise<void> } | undefined;
      try {
        if (metrics.getVariantSink() === early) metrics.setVariantSink(undefined);
        tracking = mlflow.startVariantTracking({ serviceName }, env);
        early.replayInto(metrics.getVariantSink());
      } catch (error) {
        diag.error(`@llm-otel/node: the MLflow experiment tracking is not started: ${String(error)}`);
      }
      // The A/B comparisons of experiments the app defines, onto the variants' runs: idle (no request
      // to MLflow) while no experiment is defined.
      let abLogging: { stop(): Promise<void> } | undefined;
      try {
        abLogging = mlflow.startAbComparisonLogging({ serviceName }, env);
      } catch (error) {
        diag.error(`@llm-otel/node: the MLflow A/B comparison logging is not started: ${String(error)}`);
      }
      stop = async () => {
        sync.stop();
        await Promise.all([tracking?.stop(), abLogging?.stop()]);
      };
    })
    .catch((error: unknown) => {
      diag.error(`@llm-otel/node: the MLflow model sync is not started: ${String(error)}`);
    })
    .finally(() => {
      if (metrics.getVariantSink() === early) metrics.setVariantSink(undefined);
      early.clear();
    });
  return {
    ready: loading,
    stop: async () => {
      stopped = true;
      await loading;
      await stop?.();
    },
  };
}

/** The most calls and scores kept while `@llm-otel/mlflow` loads; later ones are dropped (start-up only). */
const MAX_EARLY = 1000;

/** Keeps copies of the first variant calls and scores until the experiment tracking takes over. */
class EarlyVariantSink implements VariantSink {
  private calls: VariantCall[] = [];
  private scores: Array<[Variant, number]> = [];
  call(call: Readonly<VariantCall>): void {
    if (this.calls.length < MAX_EARLY) this.calls.push({ ...call });
  }
  qualityScore(variant: Variant, score: number): void {
    if (this.scores.length < MAX_EARLY) this.scores.push([variant, score]);
  }
  replayInto(sink: VariantSink | undefined): void {
    if (sink !== undefined && sink !== this) {
      for (const call of this.calls) sink.call(call);
      for (const [variant, score] of this.scores) sink.qualityScore(variant, score);
    }
    this.clear();
  }
  clear(): void {
    this.calls = [];
    this.scores = [];
  }
}
