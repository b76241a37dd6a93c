// The OpenTelemetry setup every variant shares: one SDK MeterProvider with llm-otel's views and a
// Prometheus reader (no HTTP server), registered globally before any instrumentation is created,
// so that every variant records into the same pipeline.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { setUpSignals } from './signals.mjs';

export const require = createRequire(import.meta.url);

/**
 * Where `@llm-otel/*` is loaded from. LLM_OTEL_BENCH_PACKAGES may name a folder holding modified,
 * built copies (`node_modules/@llm-otel/core`, `node_modules/@llm-otel/instrumentation`, and
 * optionally `views.cjs` exporting `llmViews`) to measure a proposed change against the same
 * baseline; by default the workspace packages are used.
 */
const packages = process.env.LLM_OTEL_BENCH_PACKAGES;
export const requireLlmOtel = packages ? createRequire(join(packages, 'index.cjs')) : require;

function llmViews() {
  if (packages && existsSync(join(packages, 'views.cjs'))) return require(join(packages, 'views.cjs')).llmViews();
  return require('@llm-otel/node').llmViews();
}

/**
 * llm-otel's MetricProducer (core aggregation of recordInference, as register() sets up), when the
 * @llm-otel/node in use has one; LLM_OTEL_BENCH_SDK_PATH=1 keeps recording through the SDK instruments.
 */
function llmProducers() {
  if (process.env.LLM_OTEL_BENCH_SDK_PATH) return [];
  const { llmMetricProducer } = require('@llm-otel/node');
  return typeof llmMetricProducer === 'function' ? [llmMetricProducer()] : [];
}

export function setupMetrics(variant) {
  const metricProducers = variant === 'llm-otel' ? llmProducers() : [];
  const reader = new PrometheusExporter({ preventServerStart: true, metricProducers });
  const provider = new MeterProvider({ views: llmViews(), readers: [reader] });
  // LLM_OTEL_BENCH_NO_SDK=1: no MeterProvider is registered, so instruments are the API no-ops and a
  // run measures the instrumentation alone, without the SDK recording cost.
  if (!process.env.LLM_OTEL_BENCH_NO_SDK) metrics.setGlobalMeterProvider(provider);
  return { provider, reader, serializer: new PrometheusSerializer() };
}

/** Counts recorded so far per metric name: histogram counts, counter sums, gauge points. */
export async function recordedCounts(reader) {
  const { resourceMetrics } = await reader.collect();
  const counts = {};
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      let n = 0;
      for (const point of metric.dataPoints) {
        const v = point.value;
        n += typeof v === 'number' ? v : (v?.count ?? 1);
      }
      counts[`${metric.descriptor.name}`] = (counts[metric.descriptor.name] ?? 0) + n;
    }
  }
  return counts;
}

/** Number of series (data points) held by the reader, and the /metrics text it would serve. */
export async function scrape(reader, serializer) {
  const { resourceMetrics } = await reader.collect();
  let series = 0;
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) series += metric.dataPoints.length;
  }
  return { series, text: serializer.serialize(resourceMetrics) };
}

/** The variants with logs and spans on (register()'s pipelines into a discarding OTLP sink, see signals.mjs). */
export const SIGNALS_VARIANTS = ['llm-otel-signals', 'otel-openai-signals'];

/**
 * Sets up one variant: `baseline` (no instrumentation), `llm-otel` (ours, no LoggerProvider and no
 * TracerProvider: the per-call events and spans cost nothing), `otel-openai`
 * (@opentelemetry/instrumentation-openai, no TracerProvider: spans are the API's no-op ones), the
 * same two with logs and spans on (`llm-otel-signals`, `otel-openai-signals`), or
 * `openlit` (openlit.init; its metrics are read from recording spans, so it gets an SDK
 * TracerProvider with no span processor: spans are recorded and dropped, never exported).
 * Resolves with the client classes, loaded through `require` after the instrumentation's hooks are set.
 */
export async function setupVariant(variant) {
  const otel = setupMetrics(variant.startsWith('llm-otel') ? 'llm-otel' : variant);
  /** The instrumentations that can be switched off and on again in place (for the paired measurement). */
  let switchable = [];
  if (variant === 'llm-otel' || variant === 'llm-otel-signals') {
    const { llmInstrumentations } = requireLlmOtel('@llm-otel/instrumentation');
    switchable = llmInstrumentations();
  } else if (variant === 'otel-openai' || variant === 'otel-openai-signals') {
    const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
    switchable = [new OpenAIInstrumentation({ captureMessageContent: false })];
  }
  if (SIGNALS_VARIANTS.includes(variant)) {
    await setUpSignals(switchable);
  } else if (switchable.length > 0) {
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    registerInstrumentations({ instrumentations: switchable });
  } else if (variant === 'openlit') {
    process.env.OTEL_TRACES_EXPORTER = 'none';
    const openlit = require('openlit').default;
    openlit.init({
      applicationName: 'bench',
      environment: 'bench',
      captureMessageContent: false,
      disableEvents: true,
      pricingJson: {},
    });
  } else if (variant !== 'baseline') {
    throw new Error(`unknown variant ${variant}`);
  }
  const openai = require('openai');
  const ollama = require('ollama');
  const anthropic = require('@anthropic-ai/sdk');
  const bedrock = require('@aws-sdk/client-bedrock-runtime');
  return {
    ...otel,
    switchable,
    OpenAI: openai.OpenAI ?? openai.default ?? openai,
    Ollama: ollama.Ollama,
    Anthropic: anthropic.Anthropic,
    BedrockRuntimeClient: bedrock.BedrockRuntimeClient,
    ConverseCommand: bedrock.ConverseCommand,
  };
}

function packageVersion(name) {
  try {
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 6; i++, dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8'));
        if (pkg.name === name) return pkg.version;
      }
    }
  } catch {}
  return '?';
}

/** Versions of the packages a run used, read from their package.json files. */
export function versions() {
  const out = { node: process.versions.node };
  for (const name of [
    'openai',
    'ollama',
    '@anthropic-ai/sdk',
    '@aws-sdk/client-bedrock-runtime',
    '@opentelemetry/api',
    '@opentelemetry/sdk-metrics',
    '@opentelemetry/exporter-prometheus',
    '@opentelemetry/instrumentation',
    '@opentelemetry/instrumentation-openai',
    'openlit',
    'tinybench',
    '@llm-otel/core',
    '@llm-otel/instrumentation',
  ]) {
    out[name] = packageVersion(name);
  }
  return out;
}
