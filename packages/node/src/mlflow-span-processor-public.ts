/**
 * `mlflowSpanProcessor()`: the MLflow span processor for an app that builds its own TracerProvider
 * (NodeSDK, say), whose spans register()'s MLflow traces can not see. Light: the trace SDK,
 * `@llm-otel/mlflow` and the exporter load in the background; spans ended meanwhile wait, bounded.
 */
import { type Context, diag, metrics } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LlmOtelConfigError } from './config.js';
import type { MlflowSpanProcessor } from './mlflow-traces.js';
import { resolveMlflowTraces } from './mlflow-traces-config.js';
import { ATTR_LLM_OTEL_EXPORTER, ATTR_LLM_OTEL_SIGNAL, droppedEventsCounter } from './signals.js';

/** Options of {@link mlflowSpanProcessor}. */
export interface MlflowSpanProcessorOptions {
  /** Where `MLFLOW_TRACKING_URI`, the experiment, auth and `OTEL_BSP_*` are read from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Counts drops on the global MeterProvider in force when they happen (the app may register it later). */
function dropCounter(): (count: number) => void {
  let counter: ReturnType<typeof droppedEventsCounter> | undefined;
  let provider: unknown;
  return (count) => {
    const current = metrics.getMeterProvider();
    if (counter === undefined || provider !== current) {
      counter = droppedEventsCounter();
      provider = current;
    }
    counter.add(count, { [ATTR_LLM_OTEL_SIGNAL]: 'traces', [ATTR_LLM_OTEL_EXPORTER]: 'mlflow' });
  };
}

/** Holds the spans ended while the real processor loads (bounded like its queue), then hands over. */
class LoadingMlflowSpanProcessor implements SpanProcessor {
  private early: ReadableSpan[] = [];
  private inner: MlflowSpanProcessor | undefined;
  private failed = false;
  private readonly loaded: Promise<MlflowSpanProcessor | undefined>;

  constructor(
    load: Promise<MlflowSpanProcessor>,
    private readonly capacity: number,
    private readonly onDrop: (count: number) => void,
  ) {
    this.loaded = load.then(
      (inner) => {
        this.inner = inner;
        const early = this.early;
        this.early = [];
        for (const span of early) inner.onEnd(span);
        return inner;
      },
      (error: unknown) => {
        diag.error(`@llm-otel/node: the calls' traces are not sent to MLflow: ${String(error)}`);
        this.failed = true;
        this.onDrop(this.early.length);
        this.early = [];
        return undefined;
      },
    );
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.inner !== undefined) return this.inner.onEnd(span);
    if ((span.spanContext().traceFlags & 1) === 0) return;
    if (!this.failed && this.early.length < this.capacity) this.early.push(span);
    else this.onDrop(1);
  }

  async forceFlush(): Promise<void> {
    await (await this.loaded)?.forceFlush();
  }

  async shutdown(): Promise<void> {
    await (await this.loaded)?.shutdown();
  }
}

/**
 * A span processor that sends the spans it sees to MLflow, as register()'s MLflow traces do
 * (`{MLFLOW_TRACKING_URI}/v1/traces`, the experiment of `MLFLOW_EXPERIMENT_ID` or
 * `MLFLOW_EXPERIMENT_NAME`, MLflow's auth; bounded, drops counted in `llm_otel_dropped_events_total`).
 * For an app with its own TracerProvider: put it among that provider's span processors.
 *
 * @throws LlmOtelConfigError when `MLFLOW_TRACKING_URI` is not set or not http(s).
 */
export function mlflowSpanProcessor(options: MlflowSpanProcessorOptions = {}): SpanProcessor {
  const env = options.env ?? process.env;
  let settings: ReturnType<typeof resolveMlflowTraces>;
  try {
    settings = resolveMlflowTraces({ traces: true }, false, undefined, env);
  } catch (error) {
    if (error instanceof LlmOtelConfigError)
      throw new LlmOtelConfigError(error.message.replace('mlflow.traces', 'mlflowSpanProcessor()'));
    throw error;
  }
  if (settings === undefined) throw new LlmOtelConfigError('mlflowSpanProcessor(): MLflow traces are not set up');
  const onDrop = dropCounter();
  const resolved = settings;
  const load = import('./mlflow-traces.js').then((m) => m.startMlflowSpanProcessor(resolved, onDrop));
  return new LoadingMlflowSpanProcessor(load, settings.batch.maxQueueSize, onDrop);
}
