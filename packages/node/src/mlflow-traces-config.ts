/**
 * Whether register() sends the calls' traces to MLflow, checked synchronously at register() time
 * (no MLflow or SDK module is loaded here). Light on purpose: register.ts imports it.
 */
import { LlmOtelConfigError, type ResolvedSignal, resolveConfig, type SignalOptions } from './config.js';

/** The `mlflow` option of register(). */
export interface MlflowRegisterOptions {
  /**
   * Send each LLM call's span to MLflow's OTLP endpoint (`{MLFLOW_TRACKING_URI}/v1/traces`), as a
   * trace of the experiment `MLFLOW_EXPERIMENT_ID`, or `MLFLOW_EXPERIMENT_NAME` (created if missing;
   * default `Default`). Beside any `OTEL_TRACES_EXPORTER` exporter; needs `MLFLOW_TRACKING_URI`.
   * Env: `LLM_OTEL_MLFLOW_TRACES=true`. Default off.
   */
  traces?: boolean;
}

/** The MLflow traces register() sets up: the environment to read the connection from, and the batch settings. */
export interface MlflowTracesSettings {
  /** The tracking server, already checked to be an http(s) URL. */
  readonly trackingUri: string;
  /** The environment the connection (auth, timeout) and the experiment are read from when the exporter loads. */
  readonly env: NodeJS.ProcessEnv;
  /** The queue bound and delay of the span batches: those of the traces signal (`OTEL_BSP_*`, `traces` option). */
  readonly batch: ResolvedSignal;
}

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

function tracesAsked(option: MlflowRegisterOptions | undefined, env: NodeJS.ProcessEnv): boolean {
  if (option?.traces !== undefined) return option.traces;
  const raw = (env.LLM_OTEL_MLFLOW_TRACES ?? '').trim();
  if (raw === '' || FALSE.test(raw)) return false;
  if (TRUE.test(raw)) return true;
  throw new LlmOtelConfigError(`LLM_OTEL_MLFLOW_TRACES=${JSON.stringify(raw)} is not valid; accepted: true, false`);
}

/**
 * The MLflow traces asked for by `option` (else `LLM_OTEL_MLFLOW_TRACES`), or undefined when not asked.
 *
 * @param traces The traces signal as resolved (`false` when no `OTEL_TRACES_EXPORTER` exporter is on).
 * @param tracesOption register()'s `traces` option: `false` (no TracerProvider) contradicts MLflow traces.
 * @throws LlmOtelConfigError when asked without a usable `MLFLOW_TRACKING_URI`, with
 *   `LLM_OTEL_MLFLOW=false`, or with `traces: false`.
 */
export function resolveMlflowTraces(
  option: MlflowRegisterOptions | undefined,
  traces: ResolvedSignal | false,
  tracesOption: SignalOptions | false | undefined,
  env: NodeJS.ProcessEnv = process.env,
): MlflowTracesSettings | undefined {
  if (!tracesAsked(option, env)) return undefined;
  const source = option?.traces !== undefined ? 'mlflow.traces' : 'LLM_OTEL_MLFLOW_TRACES';
  const trackingUri = (env.MLFLOW_TRACKING_URI ?? '').trim();
  if (trackingUri === '')
    throw new LlmOtelConfigError(
      `${source} asks for the calls' traces in MLflow, but MLFLOW_TRACKING_URI is not set; set it to the tracking server (http(s)://host:port)`,
    );
  let url: URL | undefined;
  try {
    url = new URL(trackingUri);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new LlmOtelConfigError(
      `MLFLOW_TRACKING_URI=${JSON.stringify(trackingUri)} is not valid for ${source}; accepted: an http:// or https:// tracking server (its /v1/traces endpoint)`,
    );
  if (FALSE.test((env.LLM_OTEL_MLFLOW ?? '').trim()))
    throw new LlmOtelConfigError(
      `${source} asks for the calls' traces in MLflow, but LLM_OTEL_MLFLOW=false turns the MLflow integration off; drop one of them`,
    );
  if (tracesOption === false)
    throw new LlmOtelConfigError(
      `${source} needs a TracerProvider, but the traces option is false; drop one of them (OTEL_TRACES_EXPORTER=none keeps MLflow the only destination)`,
    );
  // Without a traces exporter, the batch settings come from the same OTEL_BSP_* variables, parsed the same way.
  const batch =
    traces ||
    (resolveConfig({ prometheus: false, otlp: false, traces: { exporter: 'console' } }, env).traces as ResolvedSignal);
  return { trackingUri, env, batch: { ...batch, otlp: false, console: false } };
}
