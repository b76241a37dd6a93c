export { CALL_EVENT_LOGGER_NAME, CallEventLogger } from './call-event-logger.js';
export {
  LlmOtelConfigError,
  type LogLevelName,
  type OtlpOptions,
  type OtlpProtocol,
  type PrometheusOptions,
  type ResolvedConfig,
  type ResolvedSignal,
  resolveConfig,
  type SignalExporter,
  type SignalOptions,
  type TemporalityPreference,
} from './config.js';
export { type LlmMetricProducer, type LlmMetricProducerOptions, llmMetricProducer } from './llm-metric-producer.js';
export { type MlflowSpanProcessorOptions, mlflowSpanProcessor } from './mlflow-span-processor-public.js';
export type { MlflowRegisterOptions } from './mlflow-traces-config.js';
export { getModelHealthProbe, type HealthProbeOptions, ModelHealthProbe } from './model-health-probe.js';
export {
  createModelVersionHandler,
  type ModelVersionHandlerOptions,
  type ModelVersionView,
} from './model-version-endpoint.js';
export { type LlmOtlpMetricExporterOptions, llmOtlpMetricExporter } from './otlp-metric-exporter-public.js';
export { getRegistration, type LlmOtelHandle, type RegisterOptions, register } from './register.js';
export { type PersistRegistryOptions, persistRegistry, type RegistryPersistence } from './registry-persistence.js';
export { ATTR_LLM_OTEL_EXPORTER, ATTR_LLM_OTEL_SIGNAL, DROPPED_EVENTS_METRIC } from './signals.js';
export { type LlmViewsOptions, llmViews } from './views.js';
