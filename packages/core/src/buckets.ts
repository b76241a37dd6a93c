/**
 * Explicit histogram bucket boundaries. Each choice is driven by the alerts and panels of the
 * product spec (docs/ml-monitoring.md), so it is written down here next to the numbers.
 */

/**
 * Whole-call latency in seconds.
 * - 0.5 s steps from 1 s to 6 s: `histogram_quantile` interpolates linearly inside a bucket, so the
 *   P95 around the 5 s HighLLMLatency threshold is resolved to within 0.5 s, and the alert's
 *   boundary (5 s) is itself a bucket edge, so "P95 > 5 s" is exact rather than interpolated.
 * - A 2 s drift step (LLMModelDrift) spans four buckets anywhere from 1 s to 6 s and at least one
 *   bucket edge up to 12 s.
 * - Sub-second edges for embeddings and small local models; a tail to 300 s for long generations.
 */
export const LATENCY_SECONDS_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 7, 8, 10, 12, 15, 20, 30, 60, 120, 300,
] as const;

/**
 * Time to first token in seconds: interactive UIs care about 100 ms to 2 s; queued or cold models
 * take tens of seconds.
 */
export const TIME_TO_FIRST_TOKEN_SECONDS_BUCKETS = [
  0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 30,
] as const;

/**
 * Time per output token (inter-token latency) in seconds: 1 ms (fast hosted models) to 1 s
 * (overloaded CPU inference); 20-50 ms per token is the usual range, so it is resolved finely.
 */
export const TIME_PER_OUTPUT_TOKEN_SECONDS_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1,
] as const;

/**
 * Tokens per request (input or output): powers of four from 1 to 1,048,576, so one histogram covers
 * a one-word reply and a million-token context window with eleven buckets (the same progression the
 * GenAI semantic conventions advise).
 */
export const TOKEN_COUNT_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576] as const;

/** Summary length in tokens: powers of two from 16 to 8192, a summary is rarely outside that. */
export const SUMMARIZATION_LENGTH_BUCKETS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192] as const;

/** GenAI semantic conventions: advised boundaries for `gen_ai.client.operation.duration` and TTFC. */
export const GEN_AI_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
] as const;

/** GenAI semantic conventions: advised boundaries for `gen_ai.client.token.usage`. */
export const GEN_AI_TOKEN_USAGE_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;
