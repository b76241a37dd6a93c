import {
  type CallEventOptions,
  getLlmMetrics,
  type LlmMetricsOptions,
  type ModelEndpoint,
  type PriceTable,
  type PriceTableData,
} from '@llm-otel/core';
import { flushRateLimitHeaders, llmInstrumentations } from '@llm-otel/instrumentation';
import { type Attributes, diag, metrics } from '@opentelemetry/api';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  AggregationTemporality,
  type IMetricReader,
  MeterProvider,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import {
  isSdkDisabled,
  LlmOtelConfigError,
  type OtlpOptions,
  type PrometheusOptions,
  type ResolvedConfig,
  resolveConfig,
  type SignalOptions,
} from './config.js';
import { installDiagLogger, watchLateMeterProviders } from './diagnostics.js';
import { createConsoleReader, createOtlpReader, createPrometheusReader } from './exporters.js';
import { llmMetricProducer } from './llm-metric-producer.js';
import { startMlflowIfConfigured } from './mlflow-hook.js';
import { type MlflowRegisterOptions, type MlflowTracesSettings, resolveMlflowTraces } from './mlflow-traces-config.js';
import { getModelHealthProbe, type HealthProbeOptions } from './model-health-probe.js';
import { applyPrices, priceSource } from './prices.js';
import { buildResource } from './resource.js';
import { type SignalsHandle, startSignals } from './signals.js';
import { temporalitySelector } from './temporality.js';
import { checkRegisterOptions } from './validate-options.js';
import { setUpVariantContext } from './variant-context.js';
import { llmViews } from './views.js';

/** Options of {@link register}. Each one overrides the matching `OTEL_*` variable. */
export interface RegisterOptions {
  /** `service.name`. Env: `OTEL_SERVICE_NAME` (or `service.name` in `OTEL_RESOURCE_ATTRIBUTES`). */
  serviceName?: string;
  /** `service.version`. */
  serviceVersion?: string;
  /** Extra resource attributes (merged over `OTEL_RESOURCE_ATTRIBUTES`). */
  resourceAttributes?: Attributes;
  /** The Prometheus pull endpoint, or `false` for none. */
  prometheus?: PrometheusOptions | false;
  /** The OTLP push exporter, or `false` for none. */
  otlp?: OtlpOptions | false;
  /**
   * Instrumentations to enable. Default: `llmInstrumentations()`, the openai, ollama, Anthropic, Bedrock,
   * Google Gen AI and Vercel AI SDK ones of `@llm-otel/instrumentation`; pass `[]` for none, or your own
   * list (add `llmInstrumentations()` to it to keep ours).
   */
  instrumentations?: Instrumentation[];
  /** More views for the MeterProvider, applied after llm-otel's. */
  views?: ViewOptions[];
  /** Series kept per instrument (a positive integer) before new ones fold into an overflow series. Default 2000. */
  cardinalityLimit?: number;
  /** Limits and opt-ins of the recording API (attribute length, distinct values, GenAI metrics). */
  metrics?: Partial<LlmMetricsOptions>;
  /**
   * Probe the model endpoints the app uses and export `llm_model_up` (off by default). `true` for the
   * defaults (every 15 s, 5 s timeout), or options; `endpoints` adds endpoints to probe besides those
   * the instrumentations discover. Env: `LLM_OTEL_HEALTH_PROBE=true`, `LLM_OTEL_HEALTH_PROBE_INTERVAL_MS`.
   */
  healthProbe?: boolean | (Partial<HealthProbeOptions> & { endpoints?: ModelEndpoint[] });
  /**
   * Your prices for `llm_cost_usd_total`: a price table in `@llm-otel/core`'s format (USD per
   * million tokens per provider and model, see its README), whose entries are added to the
   * built-in table or replace its entries whole; or a `PriceTable` from `loadPriceTable()`. Env:
   * `LLM_OTEL_PRICES_FILE`, a JSON file of the same format read at start-up. A bad table is an
   * {@link LlmOtelConfigError} naming the file and the entry. Shutdown puts back the table in use before.
   */
  prices?: PriceTableData | PriceTable;
  /**
   * One log record per LLM call (event `gen_ai.client.inference.operation.details`), exported by
   * `otlp` or `console`; `false` for none. Env: `OTEL_LOGS_EXPORTER`, the OTLP logs variables and
   * `OTEL_BLRP_*`. Off unless this option, `OTEL_LOGS_EXPORTER` or `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`
   * asks for it; the logs SDK loads only then.
   */
  logs?: SignalOptions | false;
  /**
   * A TracerProvider (BatchSpanProcessor, `otlp` or `console`), registered as the global one if none
   * is; `false` for none. Env: `OTEL_TRACES_EXPORTER`, the OTLP traces variables and `OTEL_BSP_*`.
   */
  traces?: SignalOptions | false;
  /**
   * Content capture of the per-call events: `captureContent` (env
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`), `maxMessageLength`,
   * `maxContentLength` and a `redact` hook. See `configureCallEvents()` of `@llm-otel/core`.
   */
  callEvents?: Partial<CallEventOptions>;
  /**
   * The MLflow integration (loaded only with `MLFLOW_TRACKING_URI` set). `traces: true` sends each
   * call's span to MLflow's OTLP endpoint as a trace of the experiment (`MLFLOW_EXPERIMENT_ID`, or
   * `MLFLOW_EXPERIMENT_NAME`, created if missing), beside any `OTEL_TRACES_EXPORTER` exporter. Env:
   * `LLM_OTEL_MLFLOW_TRACES=true`. Asking for it without `MLFLOW_TRACKING_URI` is an {@link LlmOtelConfigError}.
   */
  mlflow?: MlflowRegisterOptions;
}

/** Applies register()'s `callEvents` option; returns how to put the previous options back. */
function applyCallEvents(
  llmMetrics: ReturnType<typeof getLlmMetrics>,
  options: RegisterOptions['callEvents'],
): (() => void) | undefined {
  if (options === undefined) return undefined;
  const previous = llmMetrics.getCallEventOptions();
  try {
    llmMetrics.configureCallEvents(options);
  } catch (error) {
    if (error instanceof LlmOtelConfigError) throw new LlmOtelConfigError(`callEvents: ${error.message}`);
    throw error;
  }
  return () => llmMetrics.configureCallEvents({ ...previous });
}

/** The logs and traces signals, when the config asks for one (the resource is built only then). */
function signalsOf(
  config: ResolvedConfig,
  options: RegisterOptions,
  llmMetrics: ReturnType<typeof getLlmMetrics>,
  mlflowTraces: MlflowTracesSettings | undefined,
): SignalsHandle | undefined {
  if (!config.logs && !config.traces && mlflowTraces === undefined) return undefined;
  const resource = buildResource({
    serviceName: config.serviceName,
    serviceVersion: config.serviceVersion,
    attributes: options.resourceAttributes,
  });
  return startSignals(config, resource, llmMetrics, mlflowTraces);
}

function startHealthProbe(option: RegisterOptions['healthProbe'], env: NodeJS.ProcessEnv): (() => void) | undefined {
  const enabled = option !== undefined ? option !== false : /^(1|true|yes)$/i.test(env.LLM_OTEL_HEALTH_PROBE ?? '');
  if (!enabled) return undefined;
  const { endpoints = [], ...options } = typeof option === 'object' ? option : {};
  const probe = getModelHealthProbe();
  for (const endpoint of endpoints) probe.watch(endpoint);
  const intervalMs =
    options.intervalMs ??
    (env.LLM_OTEL_HEALTH_PROBE_INTERVAL_MS ? Number(env.LLM_OTEL_HEALTH_PROBE_INTERVAL_MS) : undefined);
  try {
    probe.start({ ...options, ...(intervalMs !== undefined ? { intervalMs } : {}) });
  } catch (error) {
    throw new LlmOtelConfigError(
      `${option === undefined ? 'LLM_OTEL_HEALTH_PROBE_INTERVAL_MS' : 'healthProbe'}: ${(error as Error).message}`,
    );
  }
  return () => probe.stop();
}

/** What {@link register} set up. */
export interface LlmOtelHandle {
  /** The MeterProvider register() created, or undefined when the app already had one (see README). */
  readonly meterProvider: MeterProvider | undefined;
  /** The settings in force after options and environment were merged. */
  readonly config: ResolvedConfig;
  /** URL of the Prometheus endpoint, when enabled. */
  readonly prometheusUrl: string | undefined;
  /**
   * Settles when the exporters are ready (rejects if the Prometheus port could not be bound), and,
   * with logs or traces on, when their SDK modules have loaded.
   */
  readonly ready: Promise<void>;
  /** Exports what is pending now (OTLP push). */
  forceFlush(): Promise<void>;
  /** Flushes, stops the exporters and the instrumentations, and releases the global provider. Idempotent. */
  shutdown(): Promise<void>;
}

function hasGlobalMeterProvider(): boolean {
  // The API returns its no-op provider when none is registered; it does not export it for comparison.
  return metrics.getMeterProvider().constructor.name !== 'NoopMeterProvider';
}

/**
 * Sets up metrics for the process: a MeterProvider with llm-otel's views, a Prometheus `/metrics`
 * endpoint and/or an OTLP push exporter, and the given instrumentations; registers the provider as
 * the global one. Call it once, first thing at process start (or use
 * `node --import @llm-otel/node/register app.js`).
 *
 * When the app already registered a global MeterProvider (its own NodeSDK, say), register() leaves
 * it in place, creates no exporter, and only enables the instrumentations: add {@link llmViews} to
 * that provider to get the catalogue's buckets and attribute limits.
 *
 * With `OTEL_SDK_DISABLED=true` it sets up nothing and returns a handle that does nothing.
 *
 * @throws LlmOtelConfigError when an option or `OTEL_*` variable is invalid.
 */
export function register(options: RegisterOptions = {}): LlmOtelHandle {
  if (current !== undefined) {
    // A second call (e.g. --import @llm-otel/node/register plus register() in code) keeps the first setup.
    diag.warn('@llm-otel/node: register() was already called; returning the existing setup');
    return current;
  }
  checkRegisterOptions(options);
  const disabled = isSdkDisabled();
  const handle = disabled ? disabledHandle() : setUp(options ?? {});
  // MLflow's model sync, only with MLFLOW_TRACKING_URI set (@llm-otel/mlflow loads lazily then).
  const mlflow = disabled ? undefined : startMlflowIfConfigured(handle.config.serviceName);
  // Prompt variants (withVariant) get an AsyncLocalStorage context manager when first used, if none.
  const undoVariantContext = disabled ? undefined : setUpVariantContext();
  current = handle;
  const shutdown = handle.shutdown;
  return Object.assign(handle, {
    shutdown: () => {
      if (current === handle) current = undefined;
      return Promise.all([mlflow?.stop(), shutdown()]).then(() => undoVariantContext?.());
    },
  });
}

let current: LlmOtelHandle | undefined;

/** Core checks its own options; its error is re-thrown naming register()'s `metrics` option. */
function metricsWithOptions(options: RegisterOptions['metrics']): ReturnType<typeof getLlmMetrics> {
  try {
    return getLlmMetrics(options);
  } catch (error) {
    if (error instanceof LlmOtelConfigError) throw new LlmOtelConfigError(`metrics: ${error.message}`);
    throw error;
  }
}

/** The handle of `OTEL_SDK_DISABLED=true`: no provider, exporter or instrumentation. */
function disabledHandle(): LlmOtelHandle {
  // The console logger is not installed in this mode, so the notice goes to stderr directly, once.
  console.warn('@llm-otel/node: OTEL_SDK_DISABLED=true, so register() sets up nothing (no metrics are exported)');
  return {
    meterProvider: undefined,
    config: {
      serviceName: undefined,
      serviceVersion: undefined,
      prometheus: false,
      otlp: false,
      console: false,
      logs: false,
      traces: false,
      logLevel: undefined,
    },
    prometheusUrl: undefined,
    ready: Promise.resolve(),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

/**
 * The setup of the running {@link register} call, or undefined. Useful for apps started with
 * `--import @llm-otel/node/register` that want the Prometheus URL or to flush before exiting.
 */
export function getRegistration(): LlmOtelHandle | undefined {
  return current;
}

function setUp(options: RegisterOptions): LlmOtelHandle {
  const config = resolveConfig(options);
  // Checked with the other settings: a wrong combination fails register() before anything starts.
  const mlflowTraces = resolveMlflowTraces(options.mlflow, config.traces, options.traces, process.env);
  installDiagLogger(config.logLevel);
  const llmMetrics = metricsWithOptions(options.metrics);
  // Before anything starts: a bad price table fails register() with nothing set up.
  const restoreCallEvents = applyCallEvents(llmMetrics, options.callEvents);
  let restorePrices: ReturnType<typeof applyPrices>;
  try {
    restorePrices = applyPrices(llmMetrics, priceSource(options.prices, process.env));
  } catch (error) {
    restoreCallEvents?.();
    throw error;
  }
  const instrumentations = options.instrumentations ?? llmInstrumentations();
  const stopProbe = startHealthProbe(options.healthProbe, process.env);

  if (hasGlobalMeterProvider()) {
    diag.info('@llm-otel/node: a global MeterProvider is already registered; using it (no exporters created)');
    const disable = registerInstrumentations({ instrumentations });
    llmMetrics.instruments();
    const signals = signalsOf(config, options, llmMetrics, mlflowTraces);
    let stopped = false;
    return {
      meterProvider: undefined,
      config,
      prometheusUrl: undefined,
      ready: signals?.ready ?? Promise.resolve(),
      forceFlush: async () => signals?.forceFlush(),
      shutdown: async () => {
        if (stopped) return;
        stopped = true;
        // The app's provider does the final export; the kept rate-limit headers must be read by then.
        flushRateLimitHeaders();
        stopProbe?.();
        disable();
        restorePrices?.();
        restoreCallEvents?.();
        await signals?.shutdown();
      },
    };
  }

  // recordInference() aggregates in core; every reader gets its own producer of it, in its temporality.
  const producer = llmMetricProducer({ cardinalityLimit: options.cardinalityLimit });
  const cumulative = () => [producer.forReader(AggregationTemporality.CUMULATIVE)];
  const readers: IMetricReader[] = [];
  const waits: Promise<void>[] = [];
  let prometheusUrl: string | undefined;
  if (config.prometheus) {
    const prometheus = createPrometheusReader(config.prometheus, cumulative());
    readers.push(prometheus.reader);
    waits.push(prometheus.listening);
    prometheusUrl = prometheus.url;
  }
  if (config.otlp)
    readers.push(
      createOtlpReader(config.otlp, [producer.forReader(temporalitySelector(config.otlp.temporalityPreference))]),
    );
  if (config.console) readers.push(createConsoleReader(config.otlp ? config.otlp.intervalMs : 60000, cumulative()));

  const meterProvider = new MeterProvider({
    resource: buildResource({
      serviceName: config.serviceName,
      serviceVersion: config.serviceVersion,
      attributes: options.resourceAttributes,
    }),
    views: [...llmViews({ cardinalityLimit: options.cardinalityLimit }), ...(options.views ?? [])],
    readers,
  });
  metrics.setGlobalMeterProvider(meterProvider);
  const unwatch = watchLateMeterProviders(meterProvider);
  // Bind the recording API (and the registry's observable gauges) to the new provider now.
  llmMetrics.instruments();
  const disableInstrumentations = registerInstrumentations({ instrumentations, meterProvider });
  const signals = signalsOf(config, options, llmMetrics, mlflowTraces);
  if (signals !== undefined) waits.push(signals.ready);

  const ready = Promise.all(waits).then(() => undefined);
  ready.catch(() => {}); // the failure was already reported; only callers who await it see it
  let shutdownPromise: Promise<void> | undefined;
  return {
    meterProvider,
    config,
    prometheusUrl,
    ready,
    forceFlush: async () => {
      flushRateLimitHeaders();
      await Promise.all([signals?.forceFlush(), meterProvider.forceFlush()]);
    },
    shutdown: () => {
      shutdownPromise ??= (async () => {
        // openai's rate-limit headers are read at most every 250 ms; the latest response may still
        // wait for its read, and the final export below must carry it.
        flushRateLimitHeaders();
        stopProbe?.();
        disableInstrumentations();
        unwatch();
        restoreCallEvents?.();
        try {
          // Logs and traces first: their drops are still counted by the MeterProvider.
          await signals?.shutdown();
          // The final collection still reads the core aggregate; detaching first would drop it.
          await meterProvider.shutdown();
        } finally {
          producer.detach();
          restorePrices?.();
          if (metrics.getMeterProvider() === meterProvider) metrics.disable();
        }
      })();
      return shutdownPromise;
    },
  };
}
