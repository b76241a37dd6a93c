// `--import` preload of the start-up benchmark's contrib variant: what an app writes to get
// OpenAI metrics from @opentelemetry/instrumentation-openai into Prometheus with the SDK: the ES
// module hook (as the OpenTelemetry docs have ESM apps do), a MeterProvider with a Prometheus
// exporter (port from OTEL_EXPORTER_PROMETHEUS_PORT), and the instrumentation.
import { createRequire, register as registerLoaderHook } from 'node:module';

registerLoaderHook('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const require = createRequire(import.meta.url);
const { metrics } = require('@opentelemetry/api');
const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
const { MeterProvider } = require('@opentelemetry/sdk-metrics');

const reader = new PrometheusExporter({ host: '127.0.0.1', port: Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT) });
const meterProvider = new MeterProvider({ readers: [reader] });
metrics.setGlobalMeterProvider(meterProvider);
registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()], meterProvider });
