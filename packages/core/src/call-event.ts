import type { Context } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from './attributes.js';
import {
  applyCallEventOptions,
  type CallEventOptions,
  type CallEventValue,
  ContentCapture,
  type ContentProblem,
  cut,
  defaultCallEventOptions,
} from './call-event-content.js';
import type { CallTokens } from './call-tokens.js';

/** Name of the per-call event, from the GenAI semantic conventions (semantic-conventions-genai v0.1.0). */
export const CALL_EVENT_NAME = 'gen_ai.client.inference.operation.details';

/** Attribute keys of the per-call event (GenAI semantic conventions, then llm-otel's own). */
export const CALL_EVENT_ATTRIBUTES = {
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheWriteInputTokens: 'gen_ai.usage.cache_write.input_tokens',
  reasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  /** Whole-call duration in seconds (no GenAI event attribute carries it). */
  duration: 'llm.request.duration',
  /** The cost `llm_cost_usd_total` recorded for the call, in USD; absent when unpriced. */
  costUsd: 'llm.cost.usd',
  /** Set (true) when captured content was cut by a size cap. */
  contentTruncated: 'llm_otel.content.truncated',
} as const;

/** OpenTelemetry log severity numbers used by the event. */
export const SEVERITY_INFO = 9;
export const SEVERITY_WARN = 13;

/**
 * One LLM call as a log event: what `@llm-otel/node` hands to the OpenTelemetry logs API (event
 * name, severity, attributes). Built by `recordInference()` from the record it validated.
 */
export interface CallEvent {
  readonly eventName: typeof CALL_EVENT_NAME;
  /** {@link SEVERITY_INFO} when the call succeeded, {@link SEVERITY_WARN} when it failed. */
  readonly severityNumber: typeof SEVERITY_INFO | typeof SEVERITY_WARN;
  readonly severityText: 'INFO' | 'WARN';
  readonly attributes: Readonly<Record<string, CallEventValue>>;
}

/**
 * Where per-call events go. `@llm-otel/node` registers one that writes log records; with none
 * registered, recording a call builds no event. `emit` runs synchronously inside
 * `recordInference()`, in the caller's context (so the record carries the active trace context).
 */
export interface CallEventSink {
  /**
   * @param context The context of the call's span when it has one (so that the record carries that
   *   span's trace and span ids); `undefined`: use the active context.
   */
  emit(event: CallEvent, context?: Context): void;
}

/** What the recording path computed for a call, besides the record itself. */
export interface CallFacts {
  errorType: string | undefined;
  tokens: CallTokens;
  costUsd: number | undefined;
  timeToFirstTokenSeconds: number | undefined;
}

/** The record fields the event reads (a subset of `InferenceRecord`, kept structural here). */
export interface CallEventRecord {
  provider: string;
  operation: string;
  model?: unknown;
  responseModel?: unknown;
  serverAddress?: unknown;
  serverPort?: unknown;
  durationSeconds: number;
  responseId?: unknown;
  finishReasons?: unknown;
  inputMessages?: unknown;
  outputMessages?: unknown;
}

/** A call's messages after redaction and caps (see {@link CallEvents.content}). */
export interface CapturedContent {
  input: CallEventValue[] | undefined;
  output: CallEventValue[] | undefined;
  /** Whether a cap cut them. */
  truncated: boolean;
}

/** A dropped field of the event, for `llm_otel_invalid_input_total`. */
export type CallEventProblem = 'invalid_response_id' | 'invalid_finish_reasons' | ContentProblem;

/** Longest identifier or name the event keeps (model names, server, response id). */
const MAX_VALUE_LENGTH = 256;
/** Finish reasons kept per call (one per choice). */
const MAX_FINISH_REASONS = 128;

/** `value` when a non-empty string, cut to the longest kept length; else `undefined`. */
export function bounded(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > MAX_VALUE_LENGTH ? cut(value, MAX_VALUE_LENGTH) : value;
}

/**
 * The per-call event machinery of the recording API: the sink (none by default) and the content
 * options. The recording path checks {@link sink} and calls {@link emit} only when it is set.
 */
export class CallEvents {
  sink: CallEventSink | undefined;
  private options: CallEventOptions;
  private readonly defaults: Readonly<CallEventOptions>;

  constructor(private readonly report: (problem: CallEventProblem, error?: unknown) => void) {
    this.defaults = Object.freeze(defaultCallEventOptions());
    this.options = { ...this.defaults };
  }

  getOptions(): Readonly<CallEventOptions> {
    return this.options;
  }

  configure(changes: Partial<CallEventOptions>): void {
    this.options = applyCallEventOptions(this.options, this.defaults, changes);
  }

  /** Builds the event of a validated call and hands it to the sink, with the context of the call's span if any. */
  emit(sink: CallEventSink, record: CallEventRecord, facts: CallFacts, spanContext?: Context): void {
    const A = CALL_EVENT_ATTRIBUTES;
    const attrs: Record<string, CallEventValue> = {
      [ATTR_GEN_AI_PROVIDER_NAME]: bounded(record.provider) ?? '',
      [ATTR_GEN_AI_OPERATION_NAME]: bounded(record.operation) ?? '',
    };
    const model = bounded(record.model);
    if (model !== undefined) attrs[ATTR_GEN_AI_REQUEST_MODEL] = model;
    const responseModel = bounded(record.responseModel);
    if (responseModel !== undefined) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
    if (record.responseId !== undefined) {
      const id = bounded(record.responseId);
      if (id !== undefined) attrs[A.responseId] = id;
      else this.report('invalid_response_id');
    }
    if (record.finishReasons !== undefined) {
      const reasons = finishReasons(record.finishReasons);
      if (reasons !== undefined) attrs[A.finishReasons] = reasons;
      else this.report('invalid_finish_reasons');
    }
    const server = bounded(record.serverAddress);
    if (server !== undefined) attrs[ATTR_SERVER_ADDRESS] = server;
    // The recording path already dropped and counted an invalid port; the event just leaves it out.
    const port = record.serverPort;
    if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) attrs[ATTR_SERVER_PORT] = port;
    attrs[A.duration] = record.durationSeconds;
    const { tokens } = facts;
    if (tokens.hasInput) attrs[A.inputTokens] = tokens.input;
    if (tokens.hasOutput) attrs[A.outputTokens] = tokens.output;
    if (tokens.hasCachedInput) attrs[A.cacheReadInputTokens] = tokens.cachedInput;
    if (tokens.hasCacheCreationInput) attrs[A.cacheWriteInputTokens] = tokens.cacheCreationInput;
    if (tokens.hasReasoning) attrs[A.reasoningOutputTokens] = tokens.reasoningOutput;
    if (facts.costUsd !== undefined) attrs[A.costUsd] = facts.costUsd;
    if (facts.timeToFirstTokenSeconds !== undefined) attrs[A.timeToFirstChunk] = facts.timeToFirstTokenSeconds;
    if (facts.errorType !== undefined) attrs[ATTR_ERROR_TYPE] = facts.errorType;
    if (this.options.captureContent) this.addContent(attrs, record);
    const failed = facts.errorType !== undefined;
    sink.emit(
      {
        eventName: CALL_EVENT_NAME,
        severityNumber: failed ? SEVERITY_WARN : SEVERITY_INFO,
        severityText: failed ? 'WARN' : 'INFO',
        attributes: attrs,
      },
      spanContext,
    );
  }

  /** Adds the opt-in messages, redacted and capped; nothing at all when the redactor fails. */
  private addContent(attrs: Record<string, CallEventValue>, record: CallEventRecord): void {
    const content = this.content(record);
    if (content === undefined) return;
    if (content.input !== undefined) attrs[CALL_EVENT_ATTRIBUTES.inputMessages] = content.input;
    if (content.output !== undefined) attrs[CALL_EVENT_ATTRIBUTES.outputMessages] = content.output;
    if (content.truncated) attrs[CALL_EVENT_ATTRIBUTES.contentTruncated] = true;
  }

  /**
   * The record's messages as the event carries them (redacted by the hook, capped), whatever the
   * capture setting (callers check it); `undefined` when the record has none or the redactor failed
   * (fail closed: nothing at all). Problems are reported.
   */
  content(record: CallEventRecord): CapturedContent | undefined {
    if (record.inputMessages === undefined && record.outputMessages === undefined) return undefined;
    const capture = new ContentCapture(this.options);
    const input = record.inputMessages === undefined ? undefined : capture.messages(record.inputMessages);
    const output =
      record.outputMessages === undefined || capture.problem === 'redact_failed'
        ? undefined
        : capture.messages(record.outputMessages);
    if (capture.problem === 'redact_failed') {
      this.report('redact_failed', capture.redactError);
      return undefined;
    }
    if (capture.problem !== undefined) this.report(capture.problem);
    return { input, output, truncated: capture.truncated };
  }
}

/** The finish reasons as strings (bounded), or `undefined` when the value is not an array of strings. */
export function finishReasons(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: string[] = [];
  for (const reason of value) {
    if (out.length >= MAX_FINISH_REASONS) break;
    const kept = bounded(reason);
    if (kept === undefined) return undefined;
    out.push(kept);
  }
  return out;
}
