/**
 * Attribute keys used by the llm-otel instruments. They follow the OpenTelemetry GenAI semantic
 * conventions; Prometheus exporters turn the dots into underscores (`gen_ai.request.model` ->
 * `gen_ai_request_model`). Defined here rather than imported so that `@llm-otel/core` depends on
 * `@opentelemetry/api` alone; a test checks them against `@opentelemetry/semantic-conventions`.
 */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';

/** llm-otel specific keys (no semantic convention covers them). */
export const ATTR_LLM_MODEL_NAME = 'llm.model.name';
export const ATTR_LLM_MODEL_VERSION = 'llm.model.version';
export const ATTR_LLM_MODEL_HASH = 'llm.model.hash';
export const ATTR_LLM_TASK = 'llm.task';
export const ATTR_LLM_INTENT_RESULT = 'llm.intent.result';
export const ATTR_LLM_OTEL_REASON = 'llm_otel.reason';
export const ATTR_LLM_OTEL_ATTRIBUTE = 'llm_otel.attribute';
export const ATTR_LLM_OTEL_COMPONENT = 'llm_otel.component';
export const ATTR_LLM_OTEL_OUTCOME = 'llm_otel.outcome';
export const ATTR_LLM_EVALUATOR = 'llm.evaluator';
/** Which quantity a drift gauge is about: `latency`, `response_length` or `quality_score`. */
export const ATTR_LLM_DRIFT_METRIC = 'llm.drift.metric';
/** What a rate-limit window counts: `requests`, `tokens`, `input_tokens` or `output_tokens`. */
export const ATTR_LLM_RATE_LIMIT_KIND = 'llm.rate_limit.kind';

/**
 * The variant a call ran under (`withVariant()`), on the call metrics when the variant is an arm of an
 * experiment (`defineExperiment()`); absent otherwise. Bounded: at most `MAX_VARIANTS` names.
 */
export const ATTR_LLM_VARIANT = 'llm.variant';
/** The experiment of an A/B gauge (`llm_ab_*`). */
export const ATTR_LLM_EXPERIMENT = 'llm.experiment';
/** What an A/B gauge compares: `latency`, `quality_score` or `error_ratio`. */
export const ATTR_LLM_AB_METRIC = 'llm.ab.metric';
/** The test of an A/B gauge: `welch_t`, `mann_whitney` or `two_proportion_z`. */
export const ATTR_LLM_AB_TEST = 'llm.ab.test';

/** Values of `gen_ai.token.type`. */
export const TOKEN_TYPE_INPUT = 'input';
export const TOKEN_TYPE_OUTPUT = 'output';
/**
 * Further values of `gen_ai.token.type`, used by `llm_token_usage_detail_total` and
 * `llm_cost_usd_total` only (never by the spec's `llm_request_token_count`): prompt tokens read from
 * and written to the provider's prompt cache, and reasoning ("thinking") output tokens.
 */
export const TOKEN_TYPE_CACHED_INPUT = 'cached_input';
export const TOKEN_TYPE_CACHE_CREATION_INPUT = 'cache_creation_input';
export const TOKEN_TYPE_REASONING = 'reasoning';

/**
 * The value that replaces an attribute value which is too long or beyond the distinct-value limit.
 * `_OTHER` is the fallback value the semantic conventions use for `error.type`.
 */
export const OVERFLOW_VALUE = '_OTHER';
