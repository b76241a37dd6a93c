import type { MalformedHeaderReason } from './rate-limits/header-values.js';

/** Reasons a value is rejected; each is a label value of `llm_otel_invalid_input_total`. */
export type InvalidReason =
  | 'invalid_duration'
  | 'invalid_token_count'
  | 'invalid_time_to_first_token'
  | 'invalid_time_per_output_token'
  | 'invalid_score'
  | 'invalid_length'
  | 'invalid_intent_result'
  | 'missing_provider'
  | 'missing_operation'
  | 'invalid_record'
  | 'invalid_model'
  | 'invalid_response_model'
  | 'invalid_server_address'
  | 'invalid_server_port'
  | 'invalid_provider'
  | 'invalid_task'
  | 'invalid_attributes'
  | 'invalid_token_kind'
  | 'inconsistent_token_usage'
  | 'invalid_headers'
  | 'invalid_time'
  | 'invalid_response_id'
  | 'invalid_finish_reasons'
  | 'invalid_messages'
  | 'invalid_variant'
  | 'invalid_sampling_parameter'
  | 'invalid_assignment_key'
  | 'invalid_experiment'
  | RateLimitHeaderReason;

/**
 * A rate-limit header that was present but refused, by problem (never by value): one reason per
 * {@link MalformedHeaderReason} of the header parser, so the set stays closed.
 */
export type RateLimitHeaderReason = `rate_limit_header_${MalformedHeaderReason}`;

/** A duration in seconds: a finite number >= 0. */
export function isValidSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** A count (tokens, length): a non-negative safe integer. */
export function isValidCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A quality score: a finite number in [0, 1]. */
export function isValidScore(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

/** A non-empty string label value. */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * A short description of a rejected value for a log message: numbers, booleans and short strings as
 * they are, anything else by its type (never `String(object)`, which runs user code and may throw).
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  if (typeof value === 'string')
    return value.length <= 32 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  return `a value of type ${typeof value}`;
}
