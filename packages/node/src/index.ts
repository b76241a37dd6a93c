export {
  LlmOtelConfigError,
  type LogLevelName,
  type OtlpOptions,
  type OtlpProtocol,
  type PrometheusOptions,
  type ResolvedConfig,
  resolveConfig,
  type TemporalityPreference,
} from './config.js';
export { type LlmMetricProducer, type LlmMetricProducerOptions, llmMetricProducer } from './llm-metric-producer.js';
export { getModelHealthProbe, type HealthProbeOptions, ModelHealthProbe } from './model-health-probe.js';
export {
  createModelVersionHandler,
  type ModelVersionHandlerOptions,
  type ModelVersionView,
} from './model-version-endpoint.js';
export { getRegistration, type LlmOtelHandle, type RegisterOptions, register } from './register.js';
export { type PersistRegistryOptions, persistRegistry, type RegistryPersistence } from './registry-persistence.js';
export { type LlmViewsOptions, llmViews } from './views.js';
