import type { CallEventValue } from './call-event-content.js';
import type { Variant } from './variant.js';

/**
 * One recorded LLM call that ran under a variant, as {@link VariantSink.call} receives it. The
 * object is reused for the next call: copy what you keep. It holds no text of the call, except the
 * messages a sink asked for with {@link VariantSink.wantsContent} while content capture is on.
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
  /** The request's model (`gen_ai.request.model`, at most 256 characters), when recorded. */
  model?: string | undefined;
  /**
   * The messages sent, as the call's event carries them: passed through the app's redaction hook
   * and capped (`configureCallEvents()` of the content capture). Set only while content capture is
   * on and only for a call the sink's {@link VariantSink.wantsContent} asked for; else `undefined`.
   */
  inputMessages?: CallEventValue[] | undefined;
  /** The messages returned, like {@link inputMessages}. */
  outputMessages?: CallEventValue[] | undefined;
  /** Whether a cap cut {@link inputMessages} or {@link outputMessages}. */
  contentTruncated?: boolean;
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
  /**
   * Optional, for sinks that keep message content (e.g. `@llm-otel/mlflow`'s sampled artifacts).
   * While content capture is on, asked before each `call()` of a call under a variant: `true` puts
   * that call's redacted, capped messages on the {@link VariantCall}. A sink that has it also makes
   * the instrumentations gather messages while capture is on, with no log exporter. Keep it cheap
   * (a sampling decision); a throw is caught and counted, and the call goes without content.
   */
  wantsContent?(variant: Variant): boolean;
}

/**
 * Receives the calls and quality scores of the variants that are arms of an experiment: the A/B
 * comparator (`getAbComparator()`), registered by core itself. Called synchronously on the request
 * path: O(1), no I/O.
 */
export interface ExperimentSink {
  /** Whether `variant` is an arm of an experiment: its calls then carry the `llm.variant` label. */
  isArm(variant: Variant): boolean;
  call(variant: Variant, durationSeconds: number, failed: boolean): void;
  qualityScore(variant: Variant, score: number): void;
}
