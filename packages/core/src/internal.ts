/**
 * `@llm-otel/core/internal`: building blocks shared by the llm-otel packages (`@llm-otel/node`,
 * `@llm-otel/instrumentation`) and their tests. Not part of the public API: names and shapes may
 * change in any release. Applications use `@llm-otel/core`.
 */
export { fmix32, fnv1a32 } from './ab/assignment-hash.js';
export { AbComparator } from './ab/comparator.js';
export { resetExperimentsForTests } from './ab/experiment.js';
export {
  MANN_WHITNEY_EXACT_MAX_CELLS,
  type MannWhitneyMethod,
  type MannWhitneyResult,
  mannWhitneyU,
} from './ab/mann-whitney.js';
export { resetAbComparatorForTests } from './ab/shared-comparator.js';
export {
  erfc,
  logGamma,
  normalSf,
  regularizedGammaQ,
  regularizedIncompleteBeta,
  studentTSf,
} from './ab/special-functions.js';
export { type TwoProportionResult, twoProportionZTest } from './ab/two-proportion-test.js';
export { hedgesCorrection, type WelchTResult, welchTTest } from './ab/welch-t-test.js';
export {
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_TOKEN_USAGE_BUCKETS,
  LATENCY_SECONDS_BUCKETS,
  SUMMARIZATION_LENGTH_BUCKETS,
  TIME_PER_OUTPUT_TOKEN_SECONDS_BUCKETS,
  TIME_TO_FIRST_TOKEN_SECONDS_BUCKETS,
  TOKEN_COUNT_BUCKETS,
} from './buckets.js';
export { DriftDetector } from './drift/detector.js';
export {
  DRIFT_DETECTOR_LIMIT_ATTRIBUTE,
  DRIFT_MODEL_LIMIT_ATTRIBUTE,
  DRIFT_OPERATION_LIMIT_ATTRIBUTE,
  type DriftHost,
  DriftMonitor,
  type DriftMonitorConfig,
} from './drift/drift-monitor.js';
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
export { errorTypeOfRecord, isErrorClassName } from './error-type.js';
export { type EvaluationHost, EvaluatorRegistry } from './evaluators.js';
export {
  type CounterCell,
  FastAggregator,
  type FastAggregatorOptions,
  FastCounter,
  FastHistogram,
  type HistogramCell,
  OVERFLOW_ATTRIBUTES,
} from './fast-aggregation.js';
export { MAX_MODEL_ENDPOINTS, ModelEndpoints } from './model-endpoints.js';
export { BUILT_IN_PRICES } from './pricing/built-in-prices.js';
export {
  MAX_MODEL_NAME_LENGTH,
  modelKeyCandidates,
  normalizeModelName,
  stripVersionSuffix,
} from './pricing/model-name.js';
export {
  isLoopbackHost,
  LOCAL_PROVIDERS,
  LOCAL_ZERO_PRICE,
  OPENAI_COMPATIBLE_PROVIDER,
  PRICE_PROVIDER_FALLBACKS,
} from './pricing/resolve.js';
export { MAX_RATE_LIMIT_SERVERS } from './rate-limit-state.js';
export {
  MAX_HEADER_VALUE_LENGTH,
  MAX_SECONDS,
  type MalformedHeaderReason,
  type Parsed,
  parseGoDuration,
  parseHttpDate,
  parseNonNegativeDecimal,
  parseNonNegativeInteger,
  parseRetryAfter,
  parseRetryAfterMs,
  parseRfc3339,
  secondsUntil,
  trimOptionalWhitespace,
} from './rate-limits/header-values.js';
export type {
  EvaluationCounter,
  EvaluationOutcome,
  GaugeCallback,
  GaugeHost,
  InternalErrorReporter,
} from './recording-host.js';
export {
  type ContextManagerSetup,
  resetVariantsForTests,
  setVariantContextSetup,
  templateFingerprint,
  variantContextSetup,
} from './variant.js';
export { PACKAGE_VERSION as METER_VERSION } from './version.js';
