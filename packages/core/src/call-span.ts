import {
  type Attributes,
  type Context,
  context,
  ProxyTracerProvider,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from './attributes.js';
import { bounded, CALL_EVENT_ATTRIBUTES, finishReasons } from './call-event.js';
import type { CallTokens } from './call-tokens.js';
import { PACKAGE_VERSION } from './version.js';

/** Instrumentation scope of the call spans. */
export const CALL_SPAN_TRACER_NAME = '@llm-otel/core';

/** What is known of a call when it starts: the span's name and its sampling-relevant attributes. */
export interface CallSpanStart {
  /** `gen_ai.provider.name`, e.g. `openai`. */
  provider: string;
  /** `gen_ai.operation.name`, e.g. `chat`. */
  operation: string;
  /** `gen_ai.request.model`. */
  model?: string;
  /** `server.address`. */
  serverAddress?: string;
  /** `server.port`. */
  serverPort?: number;
}

/**
 * The span of one LLM call, from {@link LlmMetrics.startCallSpan}; hand it to `recordInference()`,
 * which ends it with the call's outcome. {@link NO_CALL_SPAN} when no TracerProvider is registered.
 */
export class CallSpan {
  /** @internal */
  ended = false;
  /**
   * @internal The end time of a span opened after the fact (ms since the epoch): the same clock reading
   * its start was computed from, so its duration is exactly the call's (the SDK's own clock for an
   * unset end time can differ from `Date.now()` by a millisecond or more).
   */
  endTimeMs: number | undefined;

  /** @internal Use {@link LlmMetrics.startCallSpan}. */
  constructor(
    /** The OpenTelemetry span, e.g. to make it the active span of work done for the call. */
    readonly span: Span | undefined,
    /** Whether the span records (sampled in): only then are attributes gathered for it. */
    readonly recording: boolean,
  ) {}
}

/** The handle of a call that has no span (no TracerProvider): shared, so starting a call allocates nothing. */
export const NO_CALL_SPAN: CallSpan = Object.freeze(new CallSpan(undefined, false)) as CallSpan;

/** The delegate of a global provider that is no provider at all (what the API returns with none registered). */
const NOOP_DELEGATE: TracerProvider = new ProxyTracerProvider().getDelegate();

/** The provider behind the global proxy (the proxy itself when it comes from another copy of the API). */
function globalDelegate(): TracerProvider {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
}

/** The values the end of a call adds to its span (the recording path computed them already). */
export interface CallSpanEnd {
  responseModel: unknown;
  responseId: unknown;
  finishReasons: unknown;
  tokens: CallTokens;
  errorType: string | undefined;
}

/**
 * Starts and ends the GenAI client spans of calls. The tracer is cached per global provider: with
 * none registered, finding that out is one property read and one comparison, and no span is made.
 */
export class CallSpans {
  private delegate: TracerProvider = NOOP_DELEGATE;
  private tracer: Tracer | undefined;

  /** The tracer of the registered TracerProvider, `undefined` when there is none. */
  currentTracer(): Tracer | undefined {
    const delegate = globalDelegate();
    if (delegate === this.delegate) return this.tracer;
    this.delegate = delegate;
    this.tracer = delegate === NOOP_DELEGATE ? undefined : delegate.getTracer(CALL_SPAN_TRACER_NAME, PACKAGE_VERSION);
    return this.tracer;
  }

  /** Starts a call's span now, a child of the active context; {@link NO_CALL_SPAN} without a provider. */
  start(call: CallSpanStart): CallSpan {
    const tracer = this.currentTracer();
    if (tracer === undefined) return NO_CALL_SPAN;
    return this.open(tracer, call, undefined);
  }

  /**
   * The span of a call recorded without one (by hand, after the fact): it started `durationSeconds`
   * ago, as a child of the active context. `undefined` without a provider.
   */
  startPast(call: CallSpanStart, durationSeconds: number): CallSpan | undefined {
    const tracer = this.currentTracer();
    if (tracer === undefined) return undefined;
    const now = Date.now();
    const handle = this.open(tracer, call, now - durationSeconds * 1000);
    handle.endTimeMs = now;
    return handle;
  }

  /** Ends `handle` with the outcome of the call (once; later ends do nothing). */
  end(handle: CallSpan, outcome: CallSpanEnd): void {
    const span = handle.span;
    if (span === undefined || handle.ended) return;
    handle.ended = true;
    if (handle.recording) span.setAttributes(endAttributes(outcome));
    // The status says "failed" and nothing more: an error's message may hold user data.
    if (outcome.errorType !== undefined) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(handle.endTimeMs);
  }

  /** Ends `handle` without outcome, when the call's record was dropped as invalid. */
  abandon(handle: CallSpan): void {
    if (handle.span === undefined || handle.ended) return;
    handle.ended = true;
    handle.span.end(handle.endTimeMs);
  }

  /** The context that carries `handle`'s span (for the call's log record), `undefined` without one. */
  contextOf(handle: CallSpan | undefined): Context | undefined {
    const span = handle?.span;
    return span === undefined ? undefined : trace.setSpan(context.active(), span);
  }

  private open(tracer: Tracer, call: CallSpanStart, startTime: number | undefined): CallSpan {
    const operation = bounded(call.operation) ?? '';
    const model = bounded(call.model);
    const attributes: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: operation,
      [ATTR_GEN_AI_PROVIDER_NAME]: bounded(call.provider) ?? '',
    };
    if (model !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = model;
    const server = bounded(call.serverAddress);
    if (server !== undefined) attributes[ATTR_SERVER_ADDRESS] = server;
    const port = call.serverPort;
    if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536)
      attributes[ATTR_SERVER_PORT] = port;
    // Semantic conventions: `{gen_ai.operation.name} {gen_ai.request.model}`, the operation alone without a model.
    const name = model === undefined ? operation : `${operation} ${model}`;
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes, startTime });
    return new CallSpan(span, span.isRecording());
  }
}

function endAttributes(outcome: CallSpanEnd): Attributes {
  const A = CALL_EVENT_ATTRIBUTES;
  const attrs: Attributes = {};
  const responseModel = bounded(outcome.responseModel);
  if (responseModel !== undefined) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
  const id = bounded(outcome.responseId);
  if (id !== undefined) attrs[A.responseId] = id;
  const reasons = finishReasons(outcome.finishReasons);
  if (reasons !== undefined) attrs[A.finishReasons] = reasons;
  const { tokens } = outcome;
  if (tokens.hasInput) attrs[A.inputTokens] = tokens.input;
  if (tokens.hasOutput) attrs[A.outputTokens] = tokens.output;
  if (tokens.hasCachedInput) attrs[A.cacheReadInputTokens] = tokens.cachedInput;
  if (tokens.hasCacheCreationInput) attrs[A.cacheWriteInputTokens] = tokens.cacheCreationInput;
  if (tokens.hasReasoning) attrs[A.reasoningOutputTokens] = tokens.reasoningOutput;
  if (outcome.errorType !== undefined) attrs[ATTR_ERROR_TYPE] = outcome.errorType;
  return attrs;
}
