import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_LLM_AB_METRIC,
  ATTR_LLM_AB_TEST,
  ATTR_LLM_DRIFT_METRIC,
  ATTR_LLM_EVALUATOR,
  ATTR_LLM_EXPERIMENT,
  ATTR_LLM_INTENT_RESULT,
  ATTR_LLM_MODEL_HASH,
  ATTR_LLM_MODEL_NAME,
  ATTR_LLM_MODEL_VERSION,
  ATTR_LLM_OTEL_ATTRIBUTE,
  ATTR_LLM_OTEL_COMPONENT,
  ATTR_LLM_OTEL_OUTCOME,
  ATTR_LLM_OTEL_REASON,
  ATTR_LLM_RATE_LIMIT_KIND,
  ATTR_LLM_TASK,
  ATTR_LLM_VARIANT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from './attributes.js';
import {
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_TOKEN_USAGE_BUCKETS,
  LATENCY_SECONDS_BUCKETS,
  SUMMARIZATION_LENGTH_BUCKETS,
  TIME_PER_OUTPUT_TOKEN_SECONDS_BUCKETS,
  TIME_TO_FIRST_TOKEN_SECONDS_BUCKETS,
  TOKEN_COUNT_BUCKETS,
} from './buckets.js';

/** How an instrument is created through the OpenTelemetry metrics API. */
export type InstrumentKind = 'histogram' | 'counter' | 'gauge' | 'observableGauge';

/**
 * Which set an instrument belongs to:
 * - `spec`: the nine metrics of the product spec;
 * - `streaming`: time to first token and time per output token;
 * - `health`: the optional model endpoint probe;
 * - `genai`: the GenAI semantic-convention metrics (opt-in);
 * - `self`: llm-otel's own health (dropped input, label overflow, internal errors);
 * - `drift`: the in-process drift detectors (latest evaluation per metric and model);
 * - `cost`: token detail (cache, reasoning) and spend per call, from the price table;
 * - `rate_limit`: the providers' rate-limit headroom, from response headers;
 * - `ab`: the A/B comparator (latest comparison of each experiment arm with its baseline).
 */
export type InstrumentGroup =
  | 'spec'
  | 'streaming'
  | 'health'
  | 'genai'
  | 'self'
  | 'drift'
  | 'cost'
  | 'rate_limit'
  | 'ab';

/** One row of the instrument catalogue. */
export interface InstrumentSpec {
  /** OpenTelemetry instrument name. For `llm_*` it is already the Prometheus name. */
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit. Never `1` for a gauge (the collector would append `_ratio`). */
  readonly unit: string;
  readonly description: string;
  /** Explicit histogram bucket boundaries (histograms only). */
  readonly buckets?: readonly number[];
  /** The attribute keys the instrument may carry; anything else is dropped by the views. */
  readonly attributes: readonly string[];
  /**
   * The series name a Prometheus endpoint shows (the JS exporter and the collector's exporter give
   * the same for `llm_*` names). Histograms add `_bucket`, `_sum` and `_count` to it.
   */
  readonly prometheusName: string;
  readonly group: InstrumentGroup;
}

const CALL_ATTRIBUTES = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  // Optional: only on calls made under a variant that is an arm of an experiment (A/B testing).
  ATTR_LLM_VARIANT,
] as const;

const QUALITY_ATTRIBUTES = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_LLM_TASK] as const;

/** Spend is kept per provider, request model and token type: what a budget is read by. */
const COST_ATTRIBUTES = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_TOKEN_TYPE] as const;

/** A provider's rate limits apply per account and endpoint, not per model. */
const RATE_LIMIT_ATTRIBUTES = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_SERVER_ADDRESS, ATTR_LLM_RATE_LIMIT_KIND] as const;

/** `gen_ai.operation.name` is set for call metrics (latency, response length), not for quality scores. */
const DRIFT_ATTRIBUTES = [ATTR_LLM_DRIFT_METRIC, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_OPERATION_NAME] as const;

/** A comparison of an experiment arm with the baseline: by experiment, arm, metric and test. */
const AB_ATTRIBUTES = [ATTR_LLM_EXPERIMENT, ATTR_LLM_VARIANT, ATTR_LLM_AB_METRIC, ATTR_LLM_AB_TEST] as const;

/**
 * The values of `llm_otel.outcome` on `llm_otel_evaluations_total`: exactly one per sampled call
 * and evaluator (see the evaluator queue in `evaluators.ts`).
 */
export const EVALUATION_OUTCOMES = ['scored', 'skipped', 'failed', 'timeout', 'abandoned', 'dropped'] as const;

/**
 * The instrument catalogue: the single source of truth for every instrument llm-otel creates.
 * Views, the Prometheus names checked in tests, the READMEs' metric tables and the dashboard are
 * all derived from this table.
 */
export const INSTRUMENTS = {
  inferenceLatency: {
    name: 'llm_inference_latency_seconds',
    kind: 'histogram',
    unit: 's',
    description:
      'Duration of an LLM call, from request to the last byte of the response (streams: until the stream ends or is abandoned).',
    buckets: LATENCY_SECONDS_BUCKETS,
    attributes: [...CALL_ATTRIBUTES, ATTR_ERROR_TYPE],
    prometheusName: 'llm_inference_latency_seconds',
    group: 'spec',
  },
  tokenGeneration: {
    name: 'llm_token_generation_rate_total',
    kind: 'counter',
    unit: '{token}',
    description: 'Output tokens generated; rate() of it is the token generation rate per model.',
    attributes: CALL_ATTRIBUTES,
    prometheusName: 'llm_token_generation_rate_total',
    group: 'spec',
  },
  requestTokens: {
    name: 'llm_request_token_count',
    kind: 'histogram',
    unit: '{token}',
    description: 'Input and output tokens per request, by gen_ai.token.type.',
    buckets: TOKEN_COUNT_BUCKETS,
    attributes: [...CALL_ATTRIBUTES, ATTR_GEN_AI_TOKEN_TYPE],
    prometheusName: 'llm_request_token_count',
    group: 'spec',
  },
  errors: {
    name: 'llm_error_rate_total',
    kind: 'counter',
    unit: '{error}',
    description: 'Failed LLM calls by error.type and model; divide its rate by the call rate for the error ratio.',
    attributes: [...CALL_ATTRIBUTES, ATTR_ERROR_TYPE],
    prometheusName: 'llm_error_rate_total',
    group: 'spec',
  },
  qualityScore: {
    name: 'llm_response_quality_score',
    kind: 'gauge',
    unit: '{score}',
    description: 'Latest response quality score (0 to 1) reported by an evaluator.',
    attributes: QUALITY_ATTRIBUTES,
    prometheusName: 'llm_response_quality_score',
    group: 'spec',
  },
  summarizationLength: {
    name: 'llm_summarization_length',
    kind: 'histogram',
    unit: '{token}',
    description: 'Length of generated summaries, in tokens.',
    buckets: SUMMARIZATION_LENGTH_BUCKETS,
    attributes: QUALITY_ATTRIBUTES,
    prometheusName: 'llm_summarization_length',
    group: 'spec',
  },
  intentParsing: {
    name: 'llm_intent_parsing_accuracy_total',
    kind: 'counter',
    unit: '{measurement}',
    description: 'Intent parsing outcomes by llm.intent.result (correct or incorrect); accuracy is the correct share.',
    attributes: [...QUALITY_ATTRIBUTES, ATTR_LLM_INTENT_RESULT],
    prometheusName: 'llm_intent_parsing_accuracy_total',
    group: 'spec',
  },
  modelVersion: {
    name: 'llm_model_version',
    kind: 'observableGauge',
    unit: '{version}',
    description: 'Deployed model version (info-style: value 1, version and hash in the labels).',
    attributes: [ATTR_LLM_MODEL_NAME, ATTR_LLM_MODEL_VERSION, ATTR_LLM_MODEL_HASH],
    prometheusName: 'llm_model_version',
    group: 'spec',
  },
  modelDeployedAt: {
    name: 'llm_model_deployed_at_seconds',
    kind: 'observableGauge',
    unit: 's',
    description: 'Deployment time of the model version, as Unix time in seconds.',
    attributes: [ATTR_LLM_MODEL_NAME, ATTR_LLM_MODEL_VERSION],
    prometheusName: 'llm_model_deployed_at_seconds',
    group: 'spec',
  },
  timeToFirstToken: {
    name: 'llm_time_to_first_token_seconds',
    kind: 'histogram',
    unit: 's',
    description: 'Time from sending a streaming request to receiving its first content chunk.',
    buckets: TIME_TO_FIRST_TOKEN_SECONDS_BUCKETS,
    attributes: CALL_ATTRIBUTES,
    prometheusName: 'llm_time_to_first_token_seconds',
    group: 'streaming',
  },
  timePerOutputToken: {
    name: 'llm_time_per_output_token_seconds',
    kind: 'histogram',
    unit: 's',
    description:
      'Mean time per output token after the first one, per streaming call: (duration - time to first token) / (output tokens - 1).',
    buckets: TIME_PER_OUTPUT_TOKEN_SECONDS_BUCKETS,
    attributes: CALL_ATTRIBUTES,
    prometheusName: 'llm_time_per_output_token_seconds',
    group: 'streaming',
  },
  tokenUsageDetail: {
    name: 'llm_token_usage_detail_total',
    kind: 'counter',
    unit: '{token}',
    description:
      'Breakdown of the tokens of llm_request_token_count by gen_ai.token.type: cached_input and cache_creation_input are part of its input tokens, reasoning is part of its output tokens (whatever the provider counting).',
    attributes: [...CALL_ATTRIBUTES, ATTR_GEN_AI_TOKEN_TYPE],
    prometheusName: 'llm_token_usage_detail_total',
    group: 'cost',
  },
  cost: {
    name: 'llm_cost_usd_total',
    kind: 'counter',
    // An annotation, not a UCUM unit: the collector appends nothing for it (`USD` would add a suffix).
    unit: '{usd}',
    description:
      'US dollars spent on LLM calls, from their token usage and the price table, by provider, request model and gen_ai.token.type (input: uncached prompt tokens, cached_input, cache_creation_input, output: non-reasoning output, reasoning); the types partition each call.',
    attributes: COST_ATTRIBUTES,
    prometheusName: 'llm_cost_usd_total',
    group: 'cost',
  },
  unpricedCalls: {
    name: 'llm_cost_unpriced_calls_total',
    kind: 'counter',
    unit: '{call}',
    description:
      'Calls with token usage whose model has no price in the price table: no cost was recorded for them (prices are never guessed).',
    attributes: [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_RESPONSE_MODEL],
    prometheusName: 'llm_cost_unpriced_calls_total',
    group: 'cost',
  },
  rateLimitRemaining: {
    name: 'llm_rate_limit_remaining',
    kind: 'observableGauge',
    unit: '{count}',
    description:
      'Requests or tokens left in the current rate-limit window, from the latest response headers of the provider and server, by llm.rate_limit.kind.',
    attributes: RATE_LIMIT_ATTRIBUTES,
    prometheusName: 'llm_rate_limit_remaining',
    group: 'rate_limit',
  },
  rateLimitLimit: {
    name: 'llm_rate_limit_limit',
    kind: 'observableGauge',
    unit: '{count}',
    description:
      'Requests or tokens allowed per rate-limit window, from the latest response headers of the provider and server, by llm.rate_limit.kind.',
    attributes: RATE_LIMIT_ATTRIBUTES,
    prometheusName: 'llm_rate_limit_limit',
    group: 'rate_limit',
  },
  rateLimitResetSeconds: {
    name: 'llm_rate_limit_reset_seconds',
    kind: 'observableGauge',
    unit: 's',
    description:
      'Seconds until the rate-limit window resets, as of the latest response headers of the provider and server, by llm.rate_limit.kind.',
    attributes: RATE_LIMIT_ATTRIBUTES,
    prometheusName: 'llm_rate_limit_reset_seconds',
    group: 'rate_limit',
  },
  modelUp: {
    name: 'llm_model_up',
    kind: 'observableGauge',
    unit: '{up}',
    description:
      'Whether the last health probe of a model endpoint succeeded (1) or failed (0), by provider and server.address.',
    attributes: [ATTR_GEN_AI_PROVIDER_NAME, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT],
    prometheusName: 'llm_model_up',
    group: 'health',
  },
  genAiOperationDuration: {
    name: 'gen_ai.client.operation.duration',
    kind: 'histogram',
    unit: 's',
    description: 'GenAI operation duration (OpenTelemetry GenAI semantic conventions).',
    buckets: GEN_AI_DURATION_BUCKETS,
    attributes: [...CALL_ATTRIBUTES, ATTR_ERROR_TYPE],
    prometheusName: 'gen_ai_client_operation_duration',
    group: 'genai',
  },
  genAiTokenUsage: {
    name: 'gen_ai.client.token.usage',
    kind: 'histogram',
    unit: '{token}',
    description: 'Number of input and output tokens used (OpenTelemetry GenAI semantic conventions).',
    buckets: GEN_AI_TOKEN_USAGE_BUCKETS,
    attributes: [...CALL_ATTRIBUTES, ATTR_GEN_AI_TOKEN_TYPE],
    prometheusName: 'gen_ai_client_token_usage',
    group: 'genai',
  },
  genAiTimeToFirstChunk: {
    name: 'gen_ai.client.operation.time_to_first_chunk',
    kind: 'histogram',
    unit: 's',
    description: 'Time to receive the first chunk of a streaming response (OpenTelemetry GenAI semantic conventions).',
    buckets: GEN_AI_DURATION_BUCKETS,
    attributes: CALL_ATTRIBUTES,
    prometheusName: 'gen_ai_client_operation_time_to_first_chunk',
    group: 'genai',
  },
  driftKsStatistic: {
    name: 'llm_drift_ks_statistic',
    kind: 'observableGauge',
    unit: '{statistic}',
    description:
      'Two-sample Kolmogorov-Smirnov statistic of the latest drift evaluation, in the monitored direction: current window against the reference, by llm.drift.metric, model and operation (NaN after a reset until the next evaluation).',
    attributes: DRIFT_ATTRIBUTES,
    prometheusName: 'llm_drift_ks_statistic',
    group: 'drift',
  },
  driftPsi: {
    name: 'llm_drift_psi',
    kind: 'observableGauge',
    unit: '{statistic}',
    description:
      'Population Stability Index of the latest drift evaluation (reference-quantile bins; above 0.2 is a significant shift).',
    attributes: DRIFT_ATTRIBUTES,
    prometheusName: 'llm_drift_psi',
    group: 'drift',
  },
  driftPValue: {
    name: 'llm_drift_p_value',
    kind: 'observableGauge',
    unit: '{probability}',
    description:
      'p-value of the Kolmogorov-Smirnov test of the latest drift evaluation: one-sided for latency (slower) and quality score (lower) by default, two-sided for response length.',
    attributes: DRIFT_ATTRIBUTES,
    prometheusName: 'llm_drift_p_value',
    group: 'drift',
  },
  driftDetected: {
    name: 'llm_drift_detected',
    kind: 'observableGauge',
    unit: '{detected}',
    description: 'Whether a drift episode is open (1) or not (0), by llm.drift.metric, model and operation.',
    attributes: DRIFT_ATTRIBUTES,
    prometheusName: 'llm_drift_detected',
    group: 'drift',
  },
  abPValue: {
    name: 'llm_ab_p_value',
    kind: 'observableGauge',
    unit: '{probability}',
    description:
      'Two-sided p-value of the latest comparison of an experiment arm (llm.variant) with the baseline, by llm.ab.metric (latency of successful calls, quality_score, error_ratio) and llm.ab.test (mann_whitney, welch_t, two_proportion_z); absent until both sides have the minimum sample.',
    attributes: AB_ATTRIBUTES,
    prometheusName: 'llm_ab_p_value',
    group: 'ab',
  },
  abEffectSize: {
    name: 'llm_ab_effect_size',
    kind: 'observableGauge',
    unit: '{effect}',
    description:
      "Effect size of the latest comparison, arm minus baseline: Hedges' g (welch_t), rank-biserial correlation (mann_whitney), Cohen's h (two_proportion_z).",
    attributes: AB_ATTRIBUTES,
    prometheusName: 'llm_ab_effect_size',
    group: 'ab',
  },
  abDifference: {
    name: 'llm_ab_difference',
    kind: 'observableGauge',
    unit: '{difference}',
    description:
      "Arm minus baseline in the metric's unit (seconds, score, ratio): difference of means (welch_t), of medians (mann_whitney), of error ratios (two_proportion_z).",
    attributes: AB_ATTRIBUTES,
    prometheusName: 'llm_ab_difference',
    group: 'ab',
  },
  abSamples: {
    name: 'llm_ab_samples',
    kind: 'observableGauge',
    unit: '{sample}',
    description:
      'Values an experiment arm contributes to its comparisons, by llm.ab.metric: sampled latencies of successful calls, sampled quality scores, calls (error_ratio).',
    attributes: [ATTR_LLM_EXPERIMENT, ATTR_LLM_VARIANT, ATTR_LLM_AB_METRIC],
    prometheusName: 'llm_ab_samples',
    group: 'ab',
  },
  invalidInput: {
    name: 'llm_otel_invalid_input_total',
    kind: 'counter',
    unit: '{value}',
    description:
      'Values llm-otel dropped because they were invalid (NaN, negative or infinite durations, bad token counts, token details that do not fit their total, scores outside 0..1, malformed rate-limit headers), by reason.',
    attributes: [ATTR_LLM_OTEL_REASON],
    prometheusName: 'llm_otel_invalid_input_total',
    group: 'self',
  },
  attributeOverflow: {
    name: 'llm_otel_attribute_overflow_total',
    kind: 'counter',
    unit: '{value}',
    description:
      'Attribute values replaced by _OTHER because they were too long or beyond the distinct-value limit, by attribute.',
    attributes: [ATTR_LLM_OTEL_ATTRIBUTE, ATTR_LLM_OTEL_REASON],
    prometheusName: 'llm_otel_attribute_overflow_total',
    group: 'self',
  },
  evaluations: {
    name: 'llm_otel_evaluations_total',
    kind: 'counter',
    unit: '{evaluation}',
    description:
      'Evaluator runs on sampled calls by llm_otel.outcome, one per run: scored, skipped (the evaluator returned undefined), failed (threw or returned no valid score), timeout (aborted and settled), abandoned (still running after its abort) or dropped (queue full).',
    attributes: [ATTR_LLM_EVALUATOR, ATTR_LLM_OTEL_OUTCOME],
    prometheusName: 'llm_otel_evaluations_total',
    group: 'self',
  },
  internalErrors: {
    name: 'llm_otel_internal_errors_total',
    kind: 'counter',
    unit: '{error}',
    description: 'Exceptions caught inside llm-otel (never thrown into the application), by component.',
    attributes: [ATTR_LLM_OTEL_COMPONENT],
    prometheusName: 'llm_otel_internal_errors_total',
    group: 'self',
  },
} as const satisfies Record<string, InstrumentSpec>;

/** The key of an instrument in {@link INSTRUMENTS}. */
export type InstrumentKey = keyof typeof INSTRUMENTS;

/** Every catalogue row, in table order. */
export const INSTRUMENT_LIST: readonly InstrumentSpec[] = Object.values(INSTRUMENTS);

/** The meter name (instrumentation scope) under which all llm-otel instruments are created. */
export const METER_NAME = '@llm-otel/core';
