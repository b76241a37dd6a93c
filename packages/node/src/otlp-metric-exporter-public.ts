/**
 * `llmOtlpMetricExporter()`: register()'s OTLP metric exporter (with the latency exemplars) for an
 * app that builds its own MeterProvider or NodeSDK and reads the call metrics through
 * `llmMetricProducer()`. The SDK's own OTLP exporters drop those exemplars.
 */
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { LlmOtelConfigError, type OtlpOptions, resolveOtlp } from './config.js';
import { LazyOtlpExporter } from './lazy-otlp-exporter.js';

const NAME = 'llmOtlpMetricExporter()';

/**
 * Options of {@link llmOtlpMetricExporter}: those of register()'s `otlp` option but the export
 * interval, which is the reader's. Each falls back on the same `OTEL_*` variable.
 */
export type LlmOtlpMetricExporterOptions = Pick<
  OtlpOptions,
  'endpoint' | 'protocol' | 'timeoutMs' | 'temporalityPreference'
>;

const KEYS = [
  'endpoint',
  'protocol',
  'timeoutMs',
  'temporalityPreference',
] as const satisfies readonly (keyof LlmOtlpMetricExporterOptions)[];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `options` checked: an object of known keys, a non-empty endpoint (the rest is checked by resolveOtlp). */
function checkOptions(options: unknown): LlmOtlpMetricExporterOptions {
  if (options === undefined) return {};
  if (!isPlainObject(options))
    throw new LlmOtelConfigError(`${NAME}: options must be an object { ${KEYS.map((k) => `${k}?`).join(', ')} }`);
  for (const key of Object.keys(options)) {
    if (!(KEYS as readonly string[]).includes(key))
      throw new LlmOtelConfigError(`${NAME}: ${key} is not an option; known: ${KEYS.join(', ')}`);
  }
  const { endpoint } = options;
  if (endpoint !== undefined && (typeof endpoint !== 'string' || endpoint.trim() === ''))
    throw new LlmOtelConfigError(
      `${NAME}: endpoint=${typeof endpoint === 'string' ? JSON.stringify(endpoint) : `(a ${typeof endpoint})`} is not valid; accepted: an http:// or https:// URL`,
    );
  return options as LlmOtlpMetricExporterOptions;
}

/**
 * An OTLP metric exporter for a `PeriodicExportingMetricReader` of your own MeterProvider or
 * NodeSDK. It is the one `register()` pushes with: the SDK's OTLP exporter of the protocol (same
 * transport, retries, `OTEL_EXPORTER_OTLP_*` headers and certificates), whose requests also carry the
 * **exemplars** of `llm_inference_latency_seconds` (sampled calls' trace and span ids) on the data
 * points `llmMetricProducer()` made; the SDK's own OTLP exporters drop them. Everything else the
 * reader collects goes out as the SDK's exporter would send it.
 *
 * Endpoint, protocol, timeout and temporality come from `options`, else from the variables
 * register() reads: `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` (as is) or `OTEL_EXPORTER_OTLP_ENDPOINT`
 * (`/v1/metrics` appended for HTTP), `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` or
 * `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf` by default, `http/json`, `grpc`),
 * `OTEL_METRIC_EXPORT_TIMEOUT` (capped at `OTEL_METRIC_EXPORT_INTERVAL`),
 * `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`. The exporter modules load in the background
 * (exports wait for them).
 *
 * ```ts
 * const exporter = llmOtlpMetricExporter();
 * const reader = new PeriodicExportingMetricReader({
 *   exporter,
 *   metricProducers: [llmMetricProducer({ temporality: (t) => exporter.selectAggregationTemporality(t) })],
 * });
 * ```
 *
 * @throws LlmOtelConfigError naming the option or variable that is not valid, and the accepted values.
 */
export function llmOtlpMetricExporter(
  options?: LlmOtlpMetricExporterOptions,
): PushMetricExporter & Required<Pick<PushMetricExporter, 'selectAggregationTemporality'>> {
  const checked = checkOptions(options);
  let config: ReturnType<typeof resolveOtlp>;
  try {
    config = resolveOtlp(checked, process.env);
  } catch (error) {
    // resolveOtlp names register()'s option (`otlp.protocol`); name ours.
    if (error instanceof LlmOtelConfigError)
      throw new LlmOtelConfigError(`${NAME}: ${error.message.replace(/^otlp\./, '')}`);
    throw error;
  }
  return new LazyOtlpExporter(config);
}
