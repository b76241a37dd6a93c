import { performance } from 'node:perf_hooks';
import {
  type CallSpan,
  currentVariant,
  errorTypeOf,
  type GenAiInputMessage,
  type GenAiOutputMessage,
  getEvaluators,
  getLlmMetrics,
  type InferenceTokenFields,
  type InputTokensKind,
  type OutputTokensKind,
  type SamplingParameters,
  type Variant,
} from '@llm-otel/core';
import { StreamToolCalls, streamedOutput } from './messages.js';
import { reportInternalError, tokenCount } from './safe.js';
import { timePerOutputToken } from './time-per-token.js';

/** The attributes of one LLM call that are known when it starts. */
export interface CallAttributes {
  provider: string;
  operation: string;
  model?: string;
  serverAddress?: string;
  serverPort?: number;
}

/**
 * Accumulates what is learnt about one LLM call (response model, usage, first token) and records it
 * exactly once through `getLlmMetrics().recordInference()`. The clock starts when the meter is
 * created, i.e. when the app called the client method, so that the time to first token includes
 * the time to the response headers.
 */
export class CallMeter {
  private readonly startedAt = performance.now();
  /** `performance.now()` of a stream's first content chunk; undefined until then. */
  firstTokenAt: number | undefined;
  /** Whether that first content was reasoning text (the reasoning was then streamed and timed). */
  private reasoningStreamed = false;
  private recorded = false;
  /** Set for streamed calls: their time per output token is derived when they are recorded. */
  streamed = false;
  responseModel: string | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** Reasoning tokens, when the usage reports them (they are part of the output tokens). */
  reasoningTokens: number | undefined;
  /** Cached prompt tokens, when the usage reports them (they are part of the input tokens). */
  cachedInputTokens: number | undefined;
  /** Prompt tokens written to the cache (Anthropic `cache_creation_input_tokens`), when reported. */
  cacheCreationInputTokens: number | undefined;
  /** How `inputTokens` counts (core's `inputTokensKind`); undefined: `total`, OpenAI's convention. */
  inputTokensKind: InputTokensKind | undefined;
  /**
   * How `outputTokens` counts (core's `outputTokensKind`); undefined: `total` (reasoning included).
   * Gemini's is `visible`: its thoughts come on their own, outside the output count.
   */
  outputTokensKind: OutputTokensKind | undefined;
  /** Why the model stopped (`gen_ai.response.finish_reasons`, for the call's event), when known. */
  finishReasons: string[] | undefined;
  /** The provider's id of the response (`gen_ai.response.id`, for the call's event), when known. */
  responseId: string | undefined;
  /** Set when a stream delivered its terminal event (finish reason, `done`, `response.completed`). */
  completed = false;
  /** A failure reported inside a successful response (e.g. a Responses API `failed` status). */
  failure: unknown;
  /** What the app got, for evaluators: the response of a plain call, the assembled text of a stream. */
  response: unknown;

  /**
   * Whether this call's messages go on its event (core's `capturesCallContent()`, checked once, when
   * the call starts). When false nothing is converted: no request, response or stream text is read.
   */
  readonly capturesContent: boolean;
  /** The request's messages, converted when the call starts (only while {@link capturesContent}). */
  inputMessages: GenAiInputMessage[] | undefined;
  /** The response's messages (only while {@link capturesContent}); see {@link captureOutput}. */
  outputMessages: GenAiOutputMessage[] | undefined;
  /** A stream's assembled text, for its output message (only while {@link capturesContent}). */
  private streamText: string | undefined;
  /**
   * A stream's tool calls, assembled by its reader for the output message: created only while
   * {@link capturesContent}, so readers check it for undefined before doing any work per chunk.
   */
  readonly streamToolCalls: StreamToolCalls | undefined;

  /**
   * The call's span, started with the meter so that it is a child of the app's context at call
   * time, ended by {@link finish}; core's `NO_CALL_SPAN` (no span work) without a TracerProvider.
   */
  readonly span: CallSpan;
  /**
   * Whether the response id and finish reasons have a use (a recording span or the call's event):
   * the operations gather them only then.
   */
  readonly wantsDetails: boolean;
  /** The variant active when the call started (see core's `withVariant()`), if any. */
  readonly variant: Variant | undefined;
  /** The request's sampling parameters: read only for a call under a variant while a variant sink is registered. */
  private readonly sampling: SamplingParameters | undefined;

  /**
   * `request` is the app's request object, kept to hand to evaluators; `toInputMessages` converts it
   * to the call's input messages, called only when content capture is on (it must not alter it).
   */
  constructor(
    readonly attributes: CallAttributes,
    private readonly request?: unknown,
    toInputMessages?: (request: unknown) => GenAiInputMessage[] | undefined,
    readSampling?: (request: unknown) => SamplingParameters,
  ) {
    const metrics = getLlmMetrics();
    // Read at call start: the variant of the request that made the call, whatever runs when it ends.
    this.variant = currentVariant();
    if (this.variant !== undefined && readSampling !== undefined && metrics.tracksVariants())
      this.sampling = this.converted(readSampling, request);
    this.span = metrics.startCallSpan(attributes);
    this.wantsDetails = this.span.recording || metrics.emitsCallEvents();
    this.capturesContent = metrics.capturesCallContent();
    this.streamToolCalls = this.capturesContent ? new StreamToolCalls() : undefined;
    // Converted now: what was sent, even if the app changes its objects while the call runs.
    if (this.capturesContent && toInputMessages !== undefined)
      this.inputMessages = this.converted(toInputMessages, request);
  }

  /**
   * Converts the response's messages with `convert` when content is captured; does nothing (not even
   * read `value`) otherwise. A failure of ours leaves them out and is counted.
   */
  captureOutput(value: unknown, convert: (value: unknown) => GenAiOutputMessage[] | undefined): void {
    if (this.capturesContent) this.outputMessages = this.converted(convert, value);
  }

  /**
   * Takes a stream's assembled text (shared/stream-text.ts): the `response` evaluators get, and the
   * call's output message when content is captured and the stream gave no fuller output.
   */
  setStreamText(text: string): void {
    this.response = text;
    if (this.capturesContent) this.streamText = text;
  }

  private converted<T>(convert: (value: unknown) => T | undefined, value: unknown): T | undefined {
    try {
      return convert(value);
    } catch (error) {
      reportInternalError('content-capture', error);
      return undefined;
    }
  }

  /** Whether the call was already recorded. */
  get finished(): boolean {
    return this.recorded;
  }

  /**
   * Notes the first content chunk of a stream (later calls are ignored); `reasoning` when that
   * content is reasoning text.
   */
  markFirstToken(reasoning = false): void {
    if (this.firstTokenAt !== undefined) return;
    this.firstTokenAt = performance.now();
    this.reasoningStreamed = reasoning;
  }

  /**
   * Takes token counts from the response's usage; invalid or missing values stay unknown. The counts
   * follow OpenAI's convention, which is core's default: `input` includes the `cached` tokens and
   * `output` the `reasoning` tokens.
   */
  setUsage(input: unknown, output: unknown, reasoning?: unknown, cached?: unknown): void {
    const inputTokens = tokenCount(input);
    const outputTokens = tokenCount(output);
    const reasoningTokens = tokenCount(reasoning);
    const cachedInputTokens = tokenCount(cached);
    if (inputTokens !== undefined) this.inputTokens = inputTokens;
    if (outputTokens !== undefined) this.outputTokens = outputTokens;
    if (reasoningTokens !== undefined) this.reasoningTokens = reasoningTokens;
    if (cachedInputTokens !== undefined) this.cachedInputTokens = cachedInputTokens;
  }

  /**
   * Takes the token fields of a usage read with core's readers (`inferenceTokenFields(
   * usageFromAnthropic(...))`): the counts, their details and the provider's counting convention,
   * which core applies (e.g. Anthropic's input tokens leave out the cache reads and writes).
   */
  setTokenFields(fields: InferenceTokenFields): void {
    this.setUsage(fields.inputTokens, fields.outputTokens, fields.reasoningTokens, fields.cachedInputTokens);
    const creation = tokenCount(fields.cacheCreationInputTokens);
    if (creation !== undefined) this.cacheCreationInputTokens = creation;
    this.inputTokensKind = fields.inputTokensKind;
    this.outputTokensKind = fields.outputTokensKind;
  }

  /**
   * Records the call, once: later calls do nothing. `error` is the thrown value or an `error.type`
   * string such as `aborted`.
   */
  finish(error?: unknown): void {
    if (this.recorded) return;
    const failure = error ?? this.failure;
    this.recorded = true;
    const endedAt = performance.now();
    const durationSeconds = (endedAt - this.startedAt) / 1000;
    const a = this.attributes;
    const first = this.firstTokenAt;
    // All output tokens, reasoning included, whatever the provider's counting (for the timing below).
    const allOutput =
      this.outputTokensKind === 'visible' && this.outputTokens !== undefined
        ? this.outputTokens + (this.reasoningTokens ?? 0)
        : this.outputTokens;
    // Streams: our one definition (time-per-token.ts), or null so that core derives nothing else.
    const perToken = this.streamed
      ? first === undefined
        ? null
        : (timePerOutputToken((endedAt - first) / 1000, allOutput, this.reasoningTokens, this.reasoningStreamed) ??
          null)
      : undefined;
    getLlmMetrics().recordInference(
      {
        provider: a.provider,
        operation: a.operation,
        model: a.model,
        serverAddress: a.serverAddress,
        serverPort: a.serverPort,
        responseModel: this.responseModel,
        durationSeconds,
        inputTokens: this.inputTokens,
        outputTokens: this.outputTokens,
        // Details of the counts above (token detail and cost per token type in core).
        cachedInputTokens: this.cachedInputTokens,
        cacheCreationInputTokens: this.cacheCreationInputTokens,
        reasoningTokens: this.reasoningTokens,
        inputTokensKind: this.inputTokensKind,
        outputTokensKind: this.outputTokensKind,
        timeToFirstTokenSeconds: first === undefined ? undefined : (first - this.startedAt) / 1000,
        timePerOutputTokenSeconds: perToken,
        error: failure,
        responseId: this.responseId,
        finishReasons: this.finishReasons,
        // null: no variant at call start (core then does not look at the context when recording).
        variant: this.variant ?? null,
        temperature: this.sampling?.temperature,
        topP: this.sampling?.topP,
        maxTokens: this.sampling?.maxTokens,
        // Undefined unless content capture was on when the call started.
        inputMessages: this.inputMessages,
        outputMessages:
          this.outputMessages ??
          (this.streamText === undefined
            ? undefined
            : streamedOutput(this.streamText, this.finishReasons, this.streamToolCalls)),
      },
      this.span,
    );
    // Evaluators run later, off this call's path; submit() only samples and enqueues.
    const evaluators = getEvaluators();
    if (failure === undefined && evaluators.active) {
      evaluators.submit({
        ...this.attributes,
        responseModel: this.responseModel,
        durationSeconds,
        request: this.request,
        response: this.response,
        variant: this.variant,
      });
    }
  }
}

/**
 * The `error.type` for a failure that happened while a stream was being read: the classified error
 * when core recognises it (abort, timeout, connection, HTTP status), else `stream_error`.
 */
export function streamFailure(error: unknown): unknown {
  return errorTypeOf(error) === '_OTHER' ? 'stream_error' : error;
}
