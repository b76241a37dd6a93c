/**
 * The public API of `@llm-otel/core`: the instrument catalogue and its attribute names, the recording
 * API, the model registry, drift detection, evaluators, pricing and rate-limit parsing.
 *
 * Building blocks that the other llm-otel packages share (the fast aggregator, statistics, parsers,
 * narrow host interfaces) are in `@llm-otel/core/internal`: no stability promise is made for them.
 */
export {
  AB_GAUGE_KEYS,
  type AbArmSamples,
  type AbComparator,
  type AbComparatorOptions,
  type AbComparison,
  type AbEffectSize,
  type AbMetric,
  type AbReport,
  type AbTest,
  DEFAULT_AB_COMPARATOR_OPTIONS,
} from './ab/comparator.js';
export { defineExperiment } from './ab/define-experiment.js';
export {
  assignVariant,
  type Experiment,
  type ExperimentArm,
  type ExperimentSpec,
  getExperiment,
  listExperiments,
  MAX_ARMS,
  MAX_ASSIGNMENT_KEY_LENGTH,
  MAX_EXPERIMENTS,
} from './ab/experiment.js';
export { getAbComparator } from './ab/shared-comparator.js';
export { withExperiment } from './ab/with-experiment.js';
export {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_LLM_AB_METRIC,
  ATTR_LLM_AB_TEST,
  ATTR_LLM_DRIFT_METRIC,
  ATTR_LLM_EXPERIMENT,
  ATTR_LLM_INTENT_RESULT,
  ATTR_LLM_MODEL_HASH,
  ATTR_LLM_MODEL_NAME,
  ATTR_LLM_MODEL_VERSION,
  ATTR_LLM_RATE_LIMIT_KIND,
  ATTR_LLM_TASK,
  ATTR_LLM_VARIANT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  OVERFLOW_VALUE,
  TOKEN_TYPE_CACHE_CREATION_INPUT,
  TOKEN_TYPE_CACHED_INPUT,
  TOKEN_TYPE_INPUT,
  TOKEN_TYPE_OUTPUT,
  TOKEN_TYPE_REASONING,
} from './attributes.js';
export { COST_TOKEN_TYPES } from './call-cost.js';
export {
  CALL_EVENT_ATTRIBUTES,
  CALL_EVENT_NAME,
  type CallEvent,
  type CallEventSink,
  SEVERITY_INFO,
  SEVERITY_WARN,
} from './call-event.js';
export {
  type CallEventOptions,
  type CallEventValue,
  DEFAULT_MAX_CONTENT_LENGTH,
  DEFAULT_MAX_MESSAGE_LENGTH,
  type GenAiInputMessage,
  type GenAiMessagePart,
  type GenAiOutputMessage,
} from './call-event-content.js';
export { CALL_SPAN_TRACER_NAME, CallSpan, type CallSpanStart, NO_CALL_SPAN } from './call-span.js';
export {
  type InferenceTokenFields,
  type InputTokensKind,
  inferenceTokenFields,
  type OutputTokensKind,
} from './call-tokens.js';
export {
  EVALUATION_OUTCOMES,
  INSTRUMENT_LIST,
  INSTRUMENTS,
  type InstrumentGroup,
  type InstrumentKey,
  type InstrumentKind,
  type InstrumentSpec,
  METER_NAME,
} from './catalogue.js';
export { LlmOtelConfigError } from './config-error.js';
export {
  DEFAULT_DRIFT_DETECTOR_OPTIONS,
  DEFAULT_DRIFT_DIRECTIONS,
  DRIFT_DIRECTIONS,
  DRIFT_METRICS,
  type DriftBaselineMode,
  type DriftDetectorOptions,
  type DriftDirection,
  type DriftEvaluation,
  type DriftMetric,
  type DriftPhase,
} from './drift/detector.js';
export {
  DEFAULT_DRIFT_MONITOR_OPTIONS,
  type DriftCallback,
  type DriftEvent,
  type DriftMonitor,
  type DriftMonitorOptions,
  type DriftStatus,
} from './drift/drift-monitor.js';
export { getDriftMonitor } from './drift/get-drift-monitor.js';
export { ERROR_TYPES, type ErrorType, errorTypeFromStatus, errorTypeOf } from './error-type.js';
export {
  DEFAULT_EVALUATION_QUEUE_OPTIONS,
  type EvaluatedCall,
  type EvaluationContext,
  type EvaluationQueueOptions,
  type EvaluationQueueStats,
  type EvaluationResult,
  EvaluationTimeoutError,
  type Evaluator,
  type EvaluatorRegistry,
  getEvaluators,
} from './evaluators.js';
export { type AttributeLimits, DEFAULT_ATTRIBUTE_LIMITS } from './limits.js';
export {
  getLlmMetrics,
  type InferenceRecord,
  LlmMetrics,
  type LlmMetricsOptions,
  type QualityAttributes,
  type RateLimitRecord,
  type SetPriceTableOptions,
} from './llm-metrics.js';
export { getModelEndpoints, type ModelApi, type ModelEndpoint } from './model-endpoints.js';
export {
  getModelRegistry,
  MAX_MODELS,
  type ModelInfo,
  type ModelRegistration,
  ModelRegistry,
  type ModelRegistryChange,
  ModelRegistryError,
  type ModelRegistryListener,
  type ModelRegistryStore,
} from './model-registry.js';
export { type CostBreakdown, type CostResult, computeCost, type TokenUsage } from './pricing/cost.js';
export {
  builtInPriceTable,
  loadPriceTable,
  type ParsePriceTableOptions,
  PriceTable,
  PriceTableError,
  parsePriceTable,
} from './pricing/price-table.js';
export type { ModelPrice, PriceSource, PriceTableData, PriceTier, TokenPrices } from './pricing/price-types.js';
export { type PriceQuery, type PriceResolution, resolveModelPrice } from './pricing/resolve.js';
export { usageFromAnthropic, usageFromGemini, usageFromOpenAI } from './pricing/usage-from-wire.js';
export { RATE_LIMIT_KINDS } from './rate-limit-state.js';
export {
  type HeaderGetter,
  type HeaderSource,
  headerGetter,
  type MalformedHeader,
  type ParseRateLimitOptions,
  parseRateLimitHeaders,
  type RateLimitInfo,
  type RateLimitKind,
  type RateLimitScheme,
  type RateLimitWindow,
} from './rate-limits/parse-rate-limits.js';
export type { ModelRegistrySnapshot, ModelRegistrySnapshotEntry } from './registry-snapshot.js';
export {
  currentVariant,
  defineVariant,
  getVariant,
  isVariant,
  MAX_VARIANTS,
  type SamplingParameters,
  type Variant,
  type VariantSpec,
} from './variant.js';
export { withVariant } from './variant-scope.js';
export type { ExperimentSink, VariantCall, VariantSink } from './variant-sink.js';
