import type { Variant } from './variant.js';

/**
 * One recorded LLM call that ran under a variant, as {@link VariantSink.call} receives it. The
 * object is reused for the next call: copy what you keep. It holds no text of the call.
 */
export interface VariantCall {
  variant: Variant;
  durationSeconds: number;
  /** Whether the call failed. */
  failed: boolean;
  /** The call's `error.type` when it failed. */
  errorType: string | undefined;
  /** Input tokens as recorded (cache reads and writes included), when known. */
  inputTokens: number | undefined;
  /** Output tokens as recorded (reasoning included), when known. */
  outputTokens: number | undefined;
  /** The call's cost in USD, when its model has a price. */
  costUsd: number | undefined;
  /** The request's sampling parameters, when the instrumentation read them (valid values only). */
  temperature: number | undefined;
  topP: number | undefined;
  maxTokens: number | undefined;
}

/**
 * Receives the calls and quality scores of variants (e.g. `@llm-otel/mlflow`'s experiment
 * tracking), registered with `getLlmMetrics().setVariantSink()`. Called synchronously on the
 * request path: aggregate cheaply, send elsewhere later. A throw is caught and counted.
 */
export interface VariantSink {
  call(call: Readonly<VariantCall>): void;
  /** A quality score (0..1) of a call made under `variant` (an evaluator's, or the app's). */
  qualityScore(variant: Variant, score: number): void;
}
