import type { LlmMetrics } from '@llm-otel/core';
import { type Counter, diag, metrics } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CALL_EVENT_LOGGER_NAME, CallEventLogger } from './call-event-logger.js';
import type { ResolvedConfig } from './config.js';
import type { LogsSetup } from './logs-setup.js';
import type { MlflowTracesSettings } from './mlflow-traces-config.js';
import type { TracesSetup } from './traces-setup.js';

/** Records of the logs and traces signals dropped because their export queue was full. */
export const DROPPED_EVENTS_METRIC = 'llm_otel_dropped_events_total';
/** `logs` or `traces`: which signal dropped the record. */
export const ATTR_LLM_OTEL_SIGNAL = 'llm_otel.signal';
/** `mlflow` on the spans the MLflow exporter dropped (absent for the `OTEL_TRACES_EXPORTER` ones). */
export const ATTR_LLM_OTEL_EXPORTER = 'llm_otel.exporter';

/** The counter of {@link DROPPED_EVENTS_METRIC} on the global MeterProvider as it is now. */
export function droppedEventsCounter(): Counter {
  return metrics.getMeter('@llm-otel/node').createCounter(DROPPED_EVENTS_METRIC, {
    unit: '{record}',
    description:
      'Log records (per-call events) and spans llm-otel dropped because the export queue was full (the backend is slow or down) or, for MLflow (llm_otel.exporter), their batch failed, by llm_otel.signal.',
  });
}

/** The logs and traces signals register() started. */
export interface SignalsHandle {
  /** Settles when the SDK modules are loaded and the providers built (never rejects). */
  readonly ready: Promise<void>;
  /** The logs set-up, once loaded (undefined when logs are off or the SDK failed to load). */
  readonly logs: Promise<LogsSetup | undefined>;
  /** The traces set-up, once loaded (undefined when traces are off or the SDK failed to load). */
  readonly traces: Promise<TracesSetup | undefined>;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Runs a flush or shutdown of a signal: a backend that is down makes the SDK reject (the last batch
 * could not be sent); that is reported through the diag logger, never thrown into the app's exit path.
 */
async function settled(signal: string, what: string, work: Promise<unknown> | undefined): Promise<void> {
  try {
    await work;
  } catch (error) {
    diag.warn(`@llm-otel/node: the ${signal} ${what} could not export everything: ${String(error)}`);
  }
}

function loadFailed(signal: string, error: unknown): undefined {
  const message = `@llm-otel/node: the ${signal} SDK could not be set up; no ${signal} are exported: ${String(error)}`;
  diag.error(message);
  process.emitWarning(message, 'LlmOtelWarning');
  return undefined;
}

/** The MLflow span processor when asked for; a failure to set it up is reported and leaves the other exporters on. */
async function mlflowProcessors(
  settings: MlflowTracesSettings | undefined,
  onDrop: (count: number) => void,
): Promise<SpanProcessor[]> {
  if (settings === undefined) return [];
  try {
    return [await (await import('./mlflow-traces.js')).startMlflowSpanProcessor(settings, onDrop)];
  } catch (error) {
    const message = `@llm-otel/node: the calls' traces are not sent to MLflow: ${String(error)}`;
    diag.error(message);
    process.emitWarning(message, 'LlmOtelWarning');
    return [];
  }
}

function warnForeignProvider(): void {
  diag.warn(
    "@llm-otel/node: the app registered its own TracerProvider, so the calls' spans go there and not to MLflow; put mlflowSpanProcessor() of @llm-otel/node on that provider",
  );
}

/**
 * Starts the logs and traces signals `config` asks for. The SDK modules load in the background
 * (`import()`), so register() stays synchronous and a process with neither loads neither. Until the
 * logs SDK is ready, call events wait in a list bounded like the export queue.
 */
export function startSignals(
  config: ResolvedConfig,
  resource: Resource,
  llmMetrics: LlmMetrics,
  mlflowTraces?: MlflowTracesSettings,
): SignalsHandle {
  const dropped = droppedEventsCounter();
  let logs: Promise<LogsSetup | undefined> = Promise.resolve(undefined);
  let sink: CallEventLogger | undefined;
  const logsConfig = config.logs;
  if (logsConfig) {
    const onDrop = () => dropped.add(1, { [ATTR_LLM_OTEL_SIGNAL]: 'logs' });
    const eventSink = new CallEventLogger(logsConfig.maxQueueSize, onDrop);
    sink = eventSink;
    llmMetrics.setCallEventSink(eventSink);
    logs = import('./logs-setup.js')
      .then((m) => m.setUpLogs(logsConfig, resource, onDrop))
      .then(
        (setup) => {
          eventSink.attach(setup.provider.getLogger(CALL_EVENT_LOGGER_NAME));
          return setup;
        },
        (error: unknown) => {
          eventSink.close();
          if (llmMetrics.getCallEventSink() === eventSink) llmMetrics.setCallEventSink(undefined);
          return loadFailed('logs', error);
        },
      );
  }
  let traces: Promise<TracesSetup | undefined> = Promise.resolve(undefined);
  // MLflow traces alone (no OTEL_TRACES_EXPORTER) still need the TracerProvider.
  const tracesConfig = config.traces || mlflowTraces?.batch;
  if (tracesConfig) {
    const onDrop = () => dropped.add(1, { [ATTR_LLM_OTEL_SIGNAL]: 'traces' });
    const onMlflowDrop = (count: number) =>
      dropped.add(count, { [ATTR_LLM_OTEL_SIGNAL]: 'traces', [ATTR_LLM_OTEL_EXPORTER]: 'mlflow' });
    traces = Promise.all([import('./traces-setup.js'), mlflowProcessors(mlflowTraces, onMlflowDrop)])
      .then(([m, extra]) => m.setUpTraces(tracesConfig, resource, onDrop, extra))
      .then((setup) => {
        if (mlflowTraces !== undefined && !setup.global) warnForeignProvider();
        return setup;
      })
      .catch((error: unknown) => loadFailed('traces', error));
  }
  let shutdownPromise: Promise<void> | undefined;
  return {
    ready: Promise.all([logs, traces]).then(() => undefined),
    logs,
    traces,
    forceFlush: async () => {
      const [l, t] = await Promise.all([logs, traces]);
      await Promise.all([
        settled('logs', 'flush', l?.provider.forceFlush()),
        settled('traces', 'flush', t?.provider.forceFlush()),
      ]);
    },
    shutdown: () => {
      shutdownPromise ??= (async () => {
        if (sink !== undefined && llmMetrics.getCallEventSink() === sink) llmMetrics.setCallEventSink(undefined);
        const [l, t] = await Promise.all([logs, traces]);
        sink?.close();
        await Promise.all([settled('logs', 'shutdown', l?.shutdown()), settled('traces', 'shutdown', t?.shutdown())]);
      })();
      return shutdownPromise;
    },
  };
}
