// How the calls' traces in MLflow are asked for (register()'s mlflow.traces, LLM_OTEL_MLFLOW_TRACES),
// the wrong combinations that fail register(), the TracerProvider set up for MLflow alone, and the
// warning when the app has its own.
import { DiagLogLevel, diag, metrics, ProxyTracerProvider, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import {
  getRegistration,
  LlmOtelConfigError,
  mlflowSpanProcessor,
  type RegisterOptions,
  register,
} from '../src/index.js';
import { resolveMlflowTraces } from '../src/mlflow-traces-config.js';

const URI = 'http://127.0.0.1:5000';

/** resolveMlflowTraces as register() calls it, for an environment. */
function resolve(env: NodeJS.ProcessEnv, option?: RegisterOptions['mlflow'], tracesOption?: RegisterOptions['traces']) {
  const config = resolveConfig({ traces: tracesOption }, env);
  return resolveMlflowTraces(option, config.traces, tracesOption, env);
}

describe('mlflow.traces and LLM_OTEL_MLFLOW_TRACES', () => {
  it('are off unless asked for, MLFLOW_TRACKING_URI alone included', () => {
    expect(resolve({})).toBeUndefined();
    expect(resolve({ MLFLOW_TRACKING_URI: URI })).toBeUndefined();
    expect(resolve({ MLFLOW_TRACKING_URI: URI, LLM_OTEL_MLFLOW_TRACES: 'false' })).toBeUndefined();
    // The option wins over the variable.
    expect(resolve({ MLFLOW_TRACKING_URI: URI, LLM_OTEL_MLFLOW_TRACES: 'true' }, { traces: false })).toBeUndefined();
  });

  it('take the batch settings of the traces signal, also when no traces exporter is on', () => {
    const alone = resolve({ MLFLOW_TRACKING_URI: URI, LLM_OTEL_MLFLOW_TRACES: 'true', OTEL_BSP_MAX_QUEUE_SIZE: '7' });
    expect(alone).toMatchObject({
      trackingUri: URI,
      batch: { otlp: false, console: false, maxQueueSize: 7, scheduleDelayMs: 5000 },
    });
    const beside = resolve(
      { MLFLOW_TRACKING_URI: ` ${URI} `, OTEL_TRACES_EXPORTER: 'otlp', OTEL_BSP_SCHEDULE_DELAY: '250' },
      { traces: true },
    );
    // The MLflow processor is an extra one: the OTLP exporter stays the signal's own.
    expect(beside?.batch).toEqual({ otlp: false, console: false, maxQueueSize: 2048, scheduleDelayMs: 250 });
    expect(beside?.trackingUri).toBe(URI);
  });

  it.each([
    [
      { LLM_OTEL_MLFLOW_TRACES: 'true' },
      undefined,
      /LLM_OTEL_MLFLOW_TRACES asks for .* MLFLOW_TRACKING_URI is not set/,
    ],
    [{}, { traces: true }, /mlflow\.traces asks for .* MLFLOW_TRACKING_URI is not set/],
    [
      { LLM_OTEL_MLFLOW_TRACES: 'maybe' },
      undefined,
      /LLM_OTEL_MLFLOW_TRACES="maybe" is not valid; accepted: true, false/,
    ],
    [
      { MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' },
      { traces: true },
      /MLFLOW_TRACKING_URI="file:\/\/\/tmp\/mlruns" is not valid for mlflow\.traces; accepted: an http/,
    ],
    [
      { MLFLOW_TRACKING_URI: URI, LLM_OTEL_MLFLOW: 'false' },
      { traces: true },
      /LLM_OTEL_MLFLOW=false turns the MLflow integration off/,
    ],
    [
      { MLFLOW_TRACKING_URI: URI, LLM_OTEL_MLFLOW_TRACES: 'true', OTEL_BSP_MAX_QUEUE_SIZE: '0' },
      undefined,
      /OTEL_BSP_MAX_QUEUE_SIZE="0" is not valid/,
    ],
  ] as const)('%o with %o: LlmOtelConfigError', (env, option, message) => {
    expect(() => resolve(env, option)).toThrow(LlmOtelConfigError);
    expect(() => resolve(env, option)).toThrow(message);
  });

  it('mlflowSpanProcessor() needs MLFLOW_TRACKING_URI too, and names itself', () => {
    expect(() => mlflowSpanProcessor({ env: {} })).toThrow(LlmOtelConfigError);
    expect(() => mlflowSpanProcessor({ env: {} })).toThrow(
      /mlflowSpanProcessor\(\) asks for .* MLFLOW_TRACKING_URI is not set/,
    );
  });

  it('reject traces: false beside them (no TracerProvider, but one is needed)', () => {
    expect(() => resolve({ MLFLOW_TRACKING_URI: URI }, { traces: true }, false)).toThrow(
      /mlflow\.traces needs a TracerProvider, but the traces option is false/,
    );
  });
});

describe('register() with MLflow traces', () => {
  const saved = { ...process.env };
  afterEach(async () => {
    await getRegistration()?.shutdown();
    metrics.disable();
    trace.disable();
    for (const key of ['MLFLOW_TRACKING_URI', 'MLFLOW_EXPERIMENT_ID', 'LLM_OTEL_MLFLOW_TRACES']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it.each([
    [{ mlflow: { traces: 'yes' } }, /mlflow\.traces="yes" is not valid; accepted: true or false/],
    [{ mlflow: { trace: true } }, /mlflow\.trace is not an option of register\(\); known: mlflow\.traces/],
    [{ mlflow: true }, /mlflow=true is not valid; accepted: an object \{ traces\?: boolean \}/],
    [{ mlflow: { traces: true } }, /mlflow\.traces asks for .* MLFLOW_TRACKING_URI is not set/],
  ])('rejects %o and sets up nothing', (options, message) => {
    delete process.env.MLFLOW_TRACKING_URI;
    expect(() => register({ prometheus: false, ...(options as RegisterOptions) })).toThrow(message);
    expect(getRegistration()).toBeUndefined();
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
  });

  it('sets up the global TracerProvider for MLflow traces alone (no OTEL_TRACES_EXPORTER)', async () => {
    // Nothing listens there: the set-up does not wait for MLflow (the experiment id needs no request).
    process.env.MLFLOW_TRACKING_URI = 'http://127.0.0.1:9';
    process.env.MLFLOW_EXPERIMENT_ID = '0';
    const handle = register({ prometheus: false, mlflow: { traces: true } });
    expect(handle.config.traces).toBe(false);
    await handle.ready;
    const provider = trace.getTracerProvider();
    const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
    expect(delegate.constructor.name).toBe('BasicTracerProvider');
    await handle.shutdown();
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate().constructor.name).toBe(
      'NoopTracerProvider',
    );
  });

  it('warns when the app has its own TracerProvider (the spans go there, not to MLflow)', async () => {
    process.env.MLFLOW_TRACKING_URI = 'http://127.0.0.1:9';
    process.env.MLFLOW_EXPERIMENT_ID = '0';
    const warnings: string[] = [];
    diag.setLogger(
      {
        error: () => {},
        warn: (message: string) => warnings.push(message),
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.WARN,
    );
    const own = new BasicTracerProvider();
    trace.setGlobalTracerProvider(own);
    try {
      const handle = register({ prometheus: false, mlflow: { traces: true } });
      await handle.ready;
      expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(own);
      expect(warnings.join('\n')).toContain("the app registered its own TracerProvider, so the calls' spans go there");
    } finally {
      diag.disable();
      await own.shutdown();
    }
  });
});
