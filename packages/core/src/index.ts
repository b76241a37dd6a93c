export {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_LLM_DRIFT_METRIC,
  ATTR_LLM_INTENT_RESULT,
  ATTR_LLM_MODEL_HASH,
  ATTR_LLM_MODEL_NAME,
  ATTR_LLM_MODEL_VERSION,
  ATTR_LLM_RATE_LIMIT_KIND,
  ATTR_LLM_TASK,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  OVERFLOW_VALUE,
  TOKEN_TYPE_CACHE_CREATION_INPUT,
  TOKEN_TYPE_CACHED_INPUT,
  TOKEN_TYPE_INPUT,
  TOKEN_TYPE_OUTPUT,
  TOKEN_TYPE_REASONING,
} from './attributes.js';
export {
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_TOKEN_USAGE_BUCKETS,
  LATENCY_SECONDS_BUCKETS,
  SUMMARIZATION_LENGTH_BUCKETS,
  TIME_PER_OUTPUT_TOKEN_SECONDS_BUCKETS,
  TIME_TO_FIRST_TOKEN_SECONDS_BUCKETS,
  TOKEN_COUNT_BUCKETS,
} from './buckets.js';
export { COST_TOKEN_TYPES } from './call-cost.js';
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
  DriftDetector,
  type DriftDetectorOptions,
  type DriftDirection,
  type DriftEvaluation,
  type DriftMetric,
  type DriftPhase,
} from './drift/detector.js';
export {
  DEFAULT_DRIFT_MONITOR_OPTIONS,
  DRIFT_DETECTOR_LIMIT_ATTRIBUTE,
  DRIFT_MODEL_LIMIT_ATTRIBUTE,
  DRIFT_OPERATION_LIMIT_ATTRIBUTE,
  type DriftCallback,
  type DriftEvent,
  type DriftHost,
  DriftMonitor,
  type DriftMonitorConfig,
  type DriftMonitorOptions,
  type DriftStatus,
} from './drift/drift-monitor.js';
export { getDriftMonitor } from './drift/get-drift-monitor.js';
export {
  EXACT_MAX_CELLS,
  EXACT_ONE_SIDED_MAX_CELLS,
  type KsAlternative,
  type KsMethod,
  type KsResult,
  type KsStatistics,
  kolmogorovSf,
  ksPValue,
  ksStatisticSorted,
  ksStatisticsSorted,
  ksTwoSample,
  smirnovSf,
} from './drift/ks-test.js';
export {
  PSI_DEFAULT_BINS,
  PSI_EPSILON,
  populationStabilityIndex,
  psiEdges,
  quantileSorted,
} from './drift/psi.js';
export { ReferenceSample, RingBuffer } from './drift/window.js';
export {
  ERROR_TYPES,
  type ErrorType,
  errorTypeFromStatus,
  errorTypeOf,
  errorTypeOfRecord,
  isErrorClassName,
} from './error-type.js';
export {
  DEFAULT_EVALUATION_QUEUE_OPTIONS,
  type EvaluatedCall,
  type EvaluationContext,
  type EvaluationHost,
  type EvaluationQueueOptions,
  type EvaluationQueueStats,
  type EvaluationResult,
  EvaluationTimeoutError,
  type Evaluator,
  EvaluatorRegistry,
  getEvaluators,
} from './evaluators.js';
export {
  type CounterCell,
  FastAggregator,
  type FastAggregatorOptions,
  FastCounter,
  FastHistogram,
  type HistogramCell,
  OVERFLOW_ATTRIBUTES,
} from './fast-aggregation.js';
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
export {
  getModelEndpoints,
  MAX_MODEL_ENDPOINTS,
  type ModelApi,
  type ModelEndpoint,
  ModelEndpoints,
} from './model-endpoints.js';
export {
  getModelRegistry,
  MAX_MODELS,
  type ModelInfo,
  type ModelRegistration,
  ModelRegistry,
  ModelRegistryError,
  type ModelRegistryStore,
} from './model-registry.js';
export * from './pricing/index.js';
export { MAX_RATE_LIMIT_SERVERS, RATE_LIMIT_KINDS } from './rate-limit-state.js';
export * from './rate-limits/index.js';
export type {
  EvaluationCounter,
  EvaluationOutcome,
  GaugeCallback,
  GaugeHost,
  InternalErrorReporter,
} from './recording-host.js';
export type { ModelRegistrySnapshot, ModelRegistrySnapshotEntry } from './registry-snapshot.js';
export { PACKAGE_VERSION as METER_VERSION } from './version.js';
