import type { Attributes, ObservableResult, Span, SpanContext } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_LLM_EVALUATOR,
  ATTR_LLM_INTENT_RESULT,
  ATTR_LLM_OTEL_ATTRIBUTE,
  ATTR_LLM_OTEL_COMPONENT,
  ATTR_LLM_OTEL_OUTCOME,
  ATTR_LLM_OTEL_REASON,
  ATTR_LLM_TASK,
  ATTR_LLM_VARIANT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  OVERFLOW_VALUE,
  TOKEN_TYPE_CACHE_CREATION_INPUT,
  TOKEN_TYPE_CACHED_INPUT,
  TOKEN_TYPE_INPUT,
  TOKEN_TYPE_OUTPUT,
  TOKEN_TYPE_REASONING,
} from './attributes.js';
import { CallCostRecorder, type CostedCall } from './call-cost.js';
import { bounded, type CallEventProblem, type CallEventSink, CallEvents } from './call-event.js';
import { type CallEventOptions, type GenAiInputMessage, type GenAiOutputMessage } from './call-event-content.js';
import { CallSpan, type CallSpanStart, CallSpans, NO_CALL_SPAN } from './call-span.js';
import { CallTokens, type InputTokensKind, type OutputTokensKind } from './call-tokens.js';
import { sharedDriftMonitor } from './drift/shared-drift-monitor.js';
import { errorTypeOfRecord } from './error-type.js';
import { type CallSinks, type FastAggregator, KEY_ABSENT, KEY_SEPARATOR } from './fast-aggregation.js';
import { globalSingleton } from './global-state.js';
import { InstrumentBinding, type InstrumentSet, type ObservableGaugeKey } from './instrument-set.js';
import {
  type AttributeLimits,
  AttributeValueLimiter,
  DEFAULT_ATTRIBUTE_LIMITS,
  type OverflowReason,
} from './limits.js';
import { checkOptions, integerIn, isBoolean, type OptionCheck } from './option-checks.js';
import { loadPriceTable, PriceTable } from './pricing/price-table.js';
import { RateLimitState } from './rate-limit-state.js';
import {
  type HeaderGetter,
  type HeaderSource,
  headerGetter,
  parseRateLimitHeaders,
  type RateLimitScheme,
} from './rate-limits/parse-rate-limits.js';
import type {
  EvaluationCounter,
  EvaluationOutcome,
  GaugeCallback,
  GaugeHost,
  InternalErrorReporter,
} from './recording-host.js';
import { warnOnce } from './report-once.js';
import {
  describeValue,
  type InvalidReason,
  isNonEmptyString,
  isValidCount,
  isValidScore,
  isValidSeconds,
} from './validate.js';
import { currentVariant, isVariant, type Variant } from './variant.js';
import type { ExperimentSink, VariantCall, VariantSink } from './variant-sink.js';

/** Separates a call's series key from its `llm.variant` value (a control character: no admitted value holds one). */
const VARIANT_KEY_MARK = `${KEY_SEPARATOR}\u0002`;

/** One LLM call, as measured by the auto-instrumentation or reported by the application. */
export interface InferenceRecord {
  /** `gen_ai.provider.name`, e.g. `openai`, `ollama`, `azure.ai.openai`. Required. */
  provider: string;
  /** `gen_ai.operation.name`, e.g. `chat`, `text_completion`, `embeddings`, `generate_content`. Required. */
  operation: string;
  /** The model the request asked for (`gen_ai.request.model`). */
  model?: string;
  /** The model that answered (`gen_ai.response.model`), when the response says. */
  responseModel?: string;
  /** Host of the model endpoint (`server.address`). */
  serverAddress?: string;
  /** Port of the model endpoint (`server.port`). */
  serverPort?: number;
  /** Whole-call duration in seconds; streams: until the stream ended or was abandoned. Required. */
  durationSeconds: number;
  /** Input (prompt) tokens, from the response's usage. Omit when unknown: never guess. */
  inputTokens?: number;
  /** Output (completion) tokens, from the response's usage. Omit when unknown. */
  outputTokens?: number;
  /**
   * Prompt tokens read from the provider's prompt cache: OpenAI `prompt_tokens_details.cached_tokens`
   * (Responses: `input_tokens_details.cached_tokens`), Anthropic `cache_read_input_tokens`, Gemini
   * `cachedContentTokenCount`. Billed at the cached-input price.
   */
  cachedInputTokens?: number;
  /** Prompt tokens written to the prompt cache: Anthropic `cache_creation_input_tokens`. */
  cacheCreationInputTokens?: number;
  /**
   * Reasoning ("thinking") output tokens: OpenAI `completion_tokens_details.reasoning_tokens`
   * (Responses: `output_tokens_details.reasoning_tokens`), Gemini `thoughtsTokenCount`.
   */
  reasoningTokens?: number;
  /**
   * How `inputTokens` counts: `total` (the default: OpenAI, Azure OpenAI, Gemini include the cached
   * tokens) or `uncached` (Anthropic: `input_tokens` excludes cache reads and writes). Recorded
   * input tokens always include cached and cache-written tokens, whatever the provider's convention.
   */
  inputTokensKind?: InputTokensKind;
  /**
   * How `outputTokens` counts: `total` (the default: OpenAI, Anthropic include reasoning) or
   * `visible` (Gemini: reasoning tokens are not in `candidatesTokenCount`). Recorded output tokens
   * always include the reasoning tokens.
   */
  outputTokensKind?: OutputTokensKind;
  /** Streams: seconds from sending the request to the first content chunk. */
  timeToFirstTokenSeconds?: number;
  /**
   * Streams: mean seconds per output token after the first. When omitted it is derived from the
   * duration, the time to first token and the output tokens (needs at least 2 output tokens);
   * `null` says it does not apply (nothing is derived), e.g. when reasoning tokens leave fewer than 2
   * timed tokens.
   */
  timePerOutputTokenSeconds?: number | null;
  /**
   * Set when the call failed: an `error.type` string (one of `ERROR_TYPES`, e.g. `rate_limit`, or an
   * error class name such as `RateLimitError`; any other string becomes `_OTHER`), an HTTP status, or
   * the thrown value, which is classified with {@link errorTypeOf}. `undefined`, `null`, `false`, `0`
   * and `''` mean the call succeeded.
   */
  error?: unknown;
  /** The provider's identifier of the response (`gen_ai.response.id`); on the call's event only. */
  responseId?: string;
  /** Why the model stopped, one per choice (`gen_ai.response.finish_reasons`); on the call's event only. */
  finishReasons?: readonly string[];
  /**
   * The messages sent (`gen_ai.input.messages`), for the call's event when content capture is on
   * (see {@link LlmMetrics.configureCallEvents}); ignored otherwise. Never a metric label.
   */
  inputMessages?: readonly GenAiInputMessage[];
  /** The messages returned, one per choice (`gen_ai.output.messages`); like {@link inputMessages}. */
  outputMessages?: readonly GenAiOutputMessage[];
  /**
   * The variant the call ran under (from `defineVariant()`), read by the instrumentations when the
   * call started; `null` says none. Omitted: the variant active when the call is recorded
   * (`currentVariant()`). For the variant sink (see {@link LlmMetrics.setVariantSink}) and, when the
   * variant is an arm of an experiment (`defineExperiment()`), the bounded `llm.variant` label of the
   * call metrics and the A/B comparator; otherwise no label.
   */
  variant?: Variant | null;
  /** The request's sampling temperature (`temperature`), for the variant sink; no label. */
  temperature?: number;
  /** The request's `top_p`, for the variant sink; no label. */
  topP?: number;
  /** The request's maximum output tokens (`max_tokens` and the like), for the variant sink; no label. */
  maxTokens?: number;
}

/** The latest rate-limit headers of a provider's response, for {@link LlmMetrics.recordRateLimits}. */
export interface RateLimitRecord {
  /** `gen_ai.provider.name` of the call. Required. */
  provider: string;
  /** Host of the model endpoint (`server.address`): limits are per endpoint and account. */
  serverAddress?: string;
  /**
   * The response headers: fetch `Headers` (or anything with `get(name)`), a plain record such as
   * Node's `IncomingHttpHeaders`, or a getter `(lowercaseName) => value`. Only rate-limit headers
   * are read; no value ever becomes a label.
   */
  headers: HeaderSource | HeaderGetter;
  /** When the response arrived, in ms since the epoch (the reference of reset times). Default: now. */
  nowMs?: number;
  /**
   * Header families to read: `openai` (also Azure OpenAI), `anthropic` or `all`. Default: `anthropic`
   * for provider `anthropic`, `openai` for `openai` and `azure.ai.openai`, else `all`.
   */
  scheme?: RateLimitScheme;
}

const RATE_LIMIT_SCHEMES: ReadonlySet<unknown> = new Set(['openai', 'anthropic', 'all']);

function schemeOf(provider: string): RateLimitScheme {
  if (provider === 'anthropic') return 'anthropic';
  if (provider === 'openai' || provider === 'azure.ai.openai') return 'openai';
  return 'all';
}

/** Options of {@link LlmMetrics.setPriceTable}. */
export interface SetPriceTableOptions {
  /** The file the table was read from, named in a `PriceTableError`. */
  file?: string;
}

/** Attributes accepted by the quality metrics. */
export interface QualityAttributes {
  provider?: string;
  model?: string;
  /** What was evaluated, e.g. `summarization`, `intent_parsing`, `support_answer` (`llm.task`). */
  task?: string;
  /**
   * The variant of the scored call, for the variant sink (no label); `null` says none. Omitted: the
   * variant active now (`currentVariant()`).
   */
  variant?: Variant | null;
}

/** Process-wide options of the recording API. */
export interface LlmMetricsOptions extends AttributeLimits {
  /**
   * Also record the GenAI semantic-convention metrics (`gen_ai.client.operation.duration`,
   * `gen_ai.client.token.usage`, `gen_ai.client.operation.time_to_first_chunk`). Default: true when
   * `OTEL_SEMCONV_STABILITY_OPT_IN` contains `gen_ai_latest_experimental`, else false.
   */
  genAiMetrics: boolean;
  /**
   * Feed the drift monitor (`getDriftMonitor()`): latency and output tokens of successful calls,
   * and quality scores, per `gen_ai.request.model`. Default: `LLM_OTEL_DRIFT_DETECTION=true`, else false
   * (then recording costs nothing extra).
   */
  driftDetection: boolean;
  /**
   * Make a GenAI client span per call when a TracerProvider is registered (see
   * {@link LlmMetrics.startCallSpan}). Default: true, unless `LLM_OTEL_CALL_SPANS=false`; turn it off
   * e.g. when another instrumentation already makes a span per call.
   */
  callSpans: boolean;
}

/**
 * How each option is checked: a typed check and a range, so that `NaN`, `Infinity`, strings or a
 * typo never switch a protection off silently (`NaN` used to remove the distinct-value cap).
 */
const OPTION_CHECKS: Readonly<Record<keyof LlmMetricsOptions, OptionCheck>> = {
  maxValueLength: integerIn(1, 4096),
  maxDistinctValues: integerIn(1, 10_000),
  maxDistinctModels: integerIn(1, 10_000),
  genAiMetrics: isBoolean,
  driftDetection: isBoolean,
  callSpans: isBoolean,
};

/**
 * `base` with `changes` applied after checking them; a key set to `undefined` takes its value from
 * `defaults`. Throws {@link LlmOtelConfigError} (and changes nothing) when an option is invalid.
 */
function applyOptions(
  base: LlmMetricsOptions,
  defaults: LlmMetricsOptions,
  changes: unknown,
  owner: string,
): LlmMetricsOptions {
  checkOptions(changes, OPTION_CHECKS, owner);
  const next: LlmMetricsOptions = { ...base };
  const input = changes as Partial<LlmMetricsOptions>;
  for (const key of Object.keys(input) as Array<keyof LlmMetricsOptions>) {
    const value = input[key];
    (next as unknown as Record<string, unknown>)[key] = value === undefined ? defaults[key] : value;
  }
  return next;
}

// The ranges of a request's sampling parameters (what the providers accept).
const isTemperature = (n: number) => Number.isFinite(n) && n >= 0;
const isTopP = (n: number) => n >= 0 && n <= 1;
const isMaxTokens = (n: number) => Number.isSafeInteger(n) && n > 0;

function envValue(name: string): string | undefined {
  return typeof process === 'object' ? process.env?.[name] : undefined;
}

function genAiOptInFromEnv(): boolean {
  const value = typeof process === 'object' ? process.env?.OTEL_SEMCONV_STABILITY_OPT_IN : undefined;
  return typeof value === 'string' && value.split(',').some((v) => v.trim() === 'gen_ai_latest_experimental');
}

/**
 * The recording API: turns LLM calls and quality measurements into the catalogue's instruments.
 * Every method validates its input, drops and counts what is invalid, bounds attribute values, and
 * never throws into the caller. Obtain the process-wide instance with {@link getLlmMetrics}.
 */
export class LlmMetrics implements GaugeHost, InternalErrorReporter, EvaluationCounter {
  private options: LlmMetricsOptions;
  /** The options before any were passed: what an option set to `undefined` goes back to. */
  private readonly defaults: Readonly<LlmMetricsOptions>;
  private readonly limiter: AttributeValueLimiter;
  private readonly binding: InstrumentBinding;
  private readonly gaugeObservers = new Map<ObservableGaugeKey, Set<GaugeCallback>>();
  private aggregator: FastAggregator | undefined;
  private readonly costs = new CallCostRecorder();
  private readonly rateLimits = new RateLimitState();
  private readonly callEvents = new CallEvents((problem, error) => this.eventProblem(problem, error));
  private readonly callSpans = new CallSpans();
  private variantSink: VariantSink | undefined;
  private experimentSink: ExperimentSink | undefined;
  /** Scratch object handed to the variant sink (reused: the sink copies what it keeps). */
  private readonly variantCall: VariantCall = {
    variant: Object.freeze({ name: '_' }),
    durationSeconds: 0,
    failed: false,
    errorType: undefined,
    inputTokens: undefined,
    outputTokens: undefined,
    costUsd: undefined,
    temperature: undefined,
    topP: undefined,
    maxTokens: undefined,
  };
  /** Scratch state of the call being recorded (reused: the recording path allocates none). */
  private readonly tokens = new CallTokens();
  private readonly costedCall: CostedCall = {
    seriesKey: '',
    provider: '',
    model: undefined,
    responseModel: undefined,
    serverAddress: undefined,
    rawModel: undefined,
    rawResponseModel: undefined,
    rawServerAddress: undefined,
  };

  /** @throws LlmOtelConfigError when an option is unknown or invalid. */
  constructor(options: Partial<LlmMetricsOptions> = {}) {
    this.options = {
      ...DEFAULT_ATTRIBUTE_LIMITS,
      genAiMetrics: genAiOptInFromEnv(),
      driftDetection: /^(1|true|yes)$/i.test(envValue('LLM_OTEL_DRIFT_DETECTION') ?? ''),
      callSpans: !/^(0|false|no)$/i.test(envValue('LLM_OTEL_CALL_SPANS') ?? ''),
    };
    this.defaults = Object.freeze({ ...this.options });
    this.options = applyOptions(this.defaults, this.defaults, options, 'LlmMetrics options');
    this.limiter = new AttributeValueLimiter(this.options, (key, reason) => {
      this.instruments().attributeOverflow.add(1, {
        [ATTR_LLM_OTEL_ATTRIBUTE]: key,
        [ATTR_LLM_OTEL_REASON]: reason,
      });
      warnOnce(`overflow:${key}:${reason}`, this.overflowMessage(key, reason));
    });
    this.binding = new InstrumentBinding((key, result) => this.observeGauge(key, result));
    const rateLimits = this.rateLimits;
    this.gaugeObservers.set('rateLimitRemaining', new Set([(r) => rateLimits.observe('remaining', r)]));
    this.gaugeObservers.set('rateLimitLimit', new Set([(r) => rateLimits.observe('limit', r)]));
    this.gaugeObservers.set('rateLimitResetSeconds', new Set([(r) => rateLimits.observe('resetSeconds', r)]));
  }

  private overflowMessage(key: string, reason: OverflowReason): string {
    switch (reason) {
      case 'too_long':
        return `a value of attribute ${key} is longer than ${this.options.maxValueLength} characters and was replaced by _OTHER`;
      case 'control_character':
        return `a value of attribute ${key} holds a control character and was replaced by _OTHER`;
      default:
        return `attribute ${key} reached ${this.limiter.limitFor(key)} distinct values; new values are replaced by _OTHER`;
    }
  }

  /** Current options (limits and opt-ins). */
  getOptions(): Readonly<LlmMetricsOptions> {
    return this.options;
  }

  /**
   * Changes limits or opt-ins; keys left out keep their value, a key set to `undefined` goes back to
   * its default. Values admitted under the old limits stay admitted (unless a limit was lowered
   * below the number already held: then that attribute starts again from none).
   *
   * @throws LlmOtelConfigError when an option is unknown or invalid; nothing is changed then.
   */
  configure(options: Partial<LlmMetricsOptions>): void {
    this.options = applyOptions(this.options, this.defaults, options, 'configure() options');
    this.limiter.setLimits(this.options);
  }

  /**
   * Sets the prices `recordInference()` computes `llm_cost_usd_total` with: the built-in table with
   * the entries of `prices` added or replacing built-in ones (a whole entry at a time). `prices` is a
   * price table object or the text of a JSON file (see the README), or a {@link PriceTable} used as
   * it is (e.g. from `loadPriceTable()`); `undefined` goes back to the built-in table. Resolved
   * prices are forgotten, so the next calls use the new table.
   *
   * @throws PriceTableError naming `options.file` and the first bad entry; the table in use is kept.
   */
  setPriceTable(prices: unknown, options: SetPriceTableOptions = {}): void {
    const table =
      prices === undefined || prices instanceof PriceTable ? prices : loadPriceTable(prices, { file: options.file });
    this.costs.setPriceTable(table);
  }

  /** The price table in use (the built-in one unless {@link setPriceTable} set another). */
  getPriceTable(): PriceTable {
    return this.costs.priceTable();
  }

  /**
   * Records the rate-limit headroom a response's headers report (success or failure), as the
   * gauges `llm_rate_limit_remaining`, `llm_rate_limit_limit` and `llm_rate_limit_reset_seconds`
   * (latest value per provider, `server.address` and `llm.rate_limit.kind`). Headers that are
   * absent leave no series; malformed ones are ignored and counted in `llm_otel_invalid_input_total`
   * (`rate_limit_header_<problem>`). `retry-after` is not exported: it does not say which window
   * is exhausted. Never throws; reads the headers only.
   */
  recordRateLimits(record: RateLimitRecord): void {
    try {
      this.recordRateLimitsUnsafe(record);
    } catch (error) {
      this.reportInternalError('recordRateLimits', error);
    }
  }

  /**
   * The instruments bound to the current global MeterProvider. For the packages of llm-otel; other
   * parts of core depend on the narrow {@link GaugeHost}, {@link InternalErrorReporter} and
   * {@link EvaluationCounter} instead.
   */
  instruments(): InstrumentSet {
    return this.binding.current();
  }

  /**
   * Makes `recordInference()` aggregate its instruments (latency, token counts, errors, streaming
   * timings and the GenAI ones) into `aggregator` instead of the SDK instruments; a MetricProducer
   * exports it (`llmMetricProducer()` of `@llm-otel/node`, which `register()` sets up). The SDK
   * instruments of the same names are then left unrecorded, so each series is exported once.
   */
  attachAggregator(aggregator: FastAggregator): void {
    this.aggregator = aggregator;
  }

  /** Goes back to recording into the SDK instruments. With an argument, only if it is the one attached. */
  detachAggregator(aggregator?: FastAggregator): void {
    if (aggregator === undefined || this.aggregator === aggregator) this.aggregator = undefined;
  }

  /** The attached aggregator, if any. */
  getAggregator(): FastAggregator | undefined {
    return this.aggregator;
  }

  /**
   * Sends one event per recorded call (`gen_ai.client.inference.operation.details`) to `sink`, or
   * stops when `undefined`. `@llm-otel/node` registers a sink writing OpenTelemetry log records;
   * with none, recording builds no event.
   */
  setCallEventSink(sink: CallEventSink | undefined): void {
    this.callEvents.sink = sink;
  }

  /** The registered per-call event sink, if any. */
  getCallEventSink(): CallEventSink | undefined {
    return this.callEvents.sink;
  }

  /**
   * Sends every recorded call made under a variant (see `withVariant()`), and the quality scores of
   * such calls, to `sink` (e.g. `@llm-otel/mlflow`'s experiment tracking); `undefined` stops. The
   * metrics are unchanged by it (the `llm.variant` label comes with experiments, not with the sink).
   */
  setVariantSink(sink: VariantSink | undefined): void {
    this.variantSink = sink;
  }

  /** The registered variant sink, if any. */
  getVariantSink(): VariantSink | undefined {
    return this.variantSink;
  }

  /**
   * Sends the calls and quality scores of experiment arms to `sink` and labels their call metrics
   * with `llm.variant` (core's A/B comparator registers itself when the first experiment is declared).
   *
   * @internal
   */
  setExperimentSink(sink: ExperimentSink | undefined): void {
    this.experimentSink = sink;
  }

  /** Whether a variant sink is registered: instrumentations read a request's sampling parameters only then. */
  tracksVariants(): boolean {
    return this.variantSink !== undefined;
  }

  /**
   * Sets the content capture of the per-call events: on or off (default off, or
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`), the caps per message and per event,
   * and a redaction hook. A key set to `undefined` goes back to its default.
   *
   * @throws LlmOtelConfigError when an option is unknown or invalid; nothing is changed then.
   */
  configureCallEvents(options: Partial<CallEventOptions>): void {
    this.callEvents.configure(options);
  }

  /**
   * Whether recorded calls become events (a sink is registered). Instrumentations check it before
   * gathering what only the event uses (response id, finish reasons).
   */
  emitsCallEvents(): boolean {
    return this.callEvents.sink !== undefined;
  }

  /**
   * Whether the call starting now needs its messages: capture is on and an event sink is
   * registered, or a variant sink that samples content is and the call runs under a variant.
   * Instrumentations check it before building `inputMessages` / `outputMessages`, so that with
   * capture off no message is converted at all.
   */
  capturesCallContent(): boolean {
    if (!this.callEvents.getOptions().captureContent) return false;
    if (this.callEvents.sink !== undefined) return true;
    // A sink that samples content (see VariantSink.wantsContent) needs it only for calls under a variant.
    return this.variantSink?.wantsContent !== undefined && currentVariant() !== undefined;
  }

  /** The content-capture options of the per-call events. */
  getCallEventOptions(): Readonly<CallEventOptions> {
    return this.callEvents.getOptions();
  }

  private eventProblem(problem: CallEventProblem, error: unknown): void {
    if (problem === 'redact_failed') this.reportInternalError('redact', error);
    else
      this.reject(problem, `the call's event left out ${problem.replace('invalid_', '')}: not of the documented shape`);
  }

  /**
   * Starts the GenAI client span of a call that starts now, as a child of the active context: name
   * `{operation} {model}`, kind CLIENT, the attributes known at the start. Pass the handle to
   * {@link recordInference} when the call is over: it ends the span with the outcome. With no
   * TracerProvider registered (or with the `callSpans` option off) this returns {@link NO_CALL_SPAN}
   * and does no span work. Never throws.
   */
  startCallSpan(call: CallSpanStart): CallSpan {
    if (!this.options.callSpans) return NO_CALL_SPAN;
    try {
      return this.callSpans.start(call);
    } catch (error) {
      this.reportInternalError('startCallSpan', error);
      return NO_CALL_SPAN;
    }
  }

  /**
   * Records one LLM call. Invalid fields are dropped and counted; an invalid duration drops the call.
   *
   * When a TracerProvider is registered the call also gets a GenAI client span: `span` (from
   * {@link startCallSpan}) is ended with the outcome (response model and id, finish reasons, token
   * counts, `error.type` and an error status); without `span`, one is made now that started
   * `durationSeconds` ago, a child of the active context. A dropped call still ends `span`.
   */
  recordInference(record: InferenceRecord, span?: CallSpan): void {
    // Anything but a handle of startCallSpan() (null, a plain object) counts as no span.
    const handle = span instanceof CallSpan ? span : undefined;
    try {
      this.recordInferenceUnsafe(record, handle);
    } catch (error) {
      this.reportInternalError('recordInference', error);
    }
    // A span whose call was dropped (or failed inside us) still ends, without outcome.
    if (handle !== undefined && handle.span !== undefined && !handle.ended) {
      try {
        this.callSpans.abandon(handle);
      } catch (error) {
        this.reportInternalError('recordInference', error);
      }
    }
  }

  /** Records the latest quality score (0..1) of a response. */
  recordQualityScore(score: number, attributes: QualityAttributes = {}): void {
    try {
      if (!isValidScore(score)) {
        this.reject('invalid_score', `quality score ${describeValue(score)} is not in [0, 1]`);
        return;
      }
      const attrs = this.qualityAttributes(attributes);
      this.instruments().qualityScore.record(score, attrs);
      if (this.options.driftDetection) this.feedDrift('quality_score', attrs, score);
      const sink = this.variantSink;
      const experiments = this.experimentSink;
      if (sink !== undefined || experiments !== undefined) {
        const given = typeof attributes === 'object' && attributes !== null ? attributes.variant : undefined;
        const variant = given === undefined ? currentVariant() : given;
        if (isVariant(variant)) {
          if (sink !== undefined) this.toVariantSink(() => sink.qualityScore(variant, score));
          if (experiments?.isArm(variant)) this.toVariantSink(() => experiments.qualityScore(variant, score));
        }
      }
    } catch (error) {
      this.reportInternalError('recordQualityScore', error);
    }
  }

  /** Records the length of a generated summary, in tokens (a non-negative integer). */
  recordSummarizationLength(length: number, attributes: QualityAttributes = {}): void {
    try {
      if (!isValidCount(length)) {
        this.reject('invalid_length', `summarization length ${describeValue(length)} is not a non-negative integer`);
        return;
      }
      this.instruments().summarizationLength.record(length, this.qualityAttributes(attributes));
    } catch (error) {
      this.reportInternalError('recordSummarizationLength', error);
    }
  }

  /** Counts one intent-parsing outcome (`correct` true or false). */
  recordIntentParsing(correct: boolean, attributes: QualityAttributes = {}): void {
    try {
      if (typeof correct !== 'boolean') {
        this.reject('invalid_intent_result', `intent parsing result ${describeValue(correct)} is not a boolean`);
        return;
      }
      const attrs = this.qualityAttributes(attributes);
      attrs[ATTR_LLM_INTENT_RESULT] = correct ? 'correct' : 'incorrect';
      this.instruments().intentParsing.add(1, attrs);
    } catch (error) {
      this.reportInternalError('recordIntentParsing', error);
    }
  }

  /**
   * Counts and logs (once per component) an exception caught inside llm-otel. Used by the
   * instrumentations so that a bug of ours never reaches the application.
   */
  reportInternalError(component: string, error: unknown): void {
    try {
      warnOnce(`internal:${component}`, `internal error in ${component}: ${String(error)}`);
      this.instruments().internalErrors.add(1, {
        [ATTR_LLM_OTEL_COMPONENT]: this.limiter.admit(ATTR_LLM_OTEL_COMPONENT, component),
      });
    } catch {
      // Reporting must never throw either.
    }
  }

  /** Binds the instruments (and their observable gauges) to the current global MeterProvider now. */
  bind(): void {
    this.instruments();
  }

  /** Counts one evaluator run in `llm_otel_evaluations_total`; never throws. */
  countEvaluation(evaluator: string, outcome: EvaluationOutcome): void {
    try {
      const name = typeof evaluator === 'string' && evaluator.length > 0 ? evaluator : OVERFLOW_VALUE;
      this.instruments().evaluations.add(1, {
        [ATTR_LLM_EVALUATOR]: this.limiter.admit(ATTR_LLM_EVALUATOR, name),
        [ATTR_LLM_OTEL_OUTCOME]: outcome,
      });
    } catch (error) {
      this.reportInternalError('countEvaluation', error);
    }
  }

  /** Adds an observer for an observable gauge (used by the model registry). */
  addGaugeObserver(key: ObservableGaugeKey, observer: GaugeCallback): void {
    let set = this.gaugeObservers.get(key);
    if (set === undefined) {
      set = new Set();
      this.gaugeObservers.set(key, set);
    }
    set.add(observer);
    this.instruments();
  }

  /** Bounds an attribute value (length and distinct values); `_OTHER` when over a limit. */
  admit(key: string, value: string): string {
    return this.limiter.admit(key, value);
  }

  private observeGauge(key: ObservableGaugeKey, result: ObservableResult<Attributes>): void {
    const observers = this.gaugeObservers.get(key);
    if (observers === undefined) return;
    for (const observer of observers) {
      try {
        observer(result);
      } catch (error) {
        this.reportInternalError(`gauge:${key}`, error);
      }
    }
  }

  private reject(reason: InvalidReason, message: string): void {
    this.instruments().invalidInput.add(1, { [ATTR_LLM_OTEL_REASON]: reason });
    warnOnce(`invalid:${reason}`, `dropped invalid input: ${message}`);
  }

  private qualityAttributes(attributes: QualityAttributes): Attributes {
    const attrs: Attributes = {};
    if (typeof attributes !== 'object' || attributes === null) {
      this.reject('invalid_attributes', 'quality attributes must be an object');
      return attrs;
    }
    const provider = this.label(ATTR_GEN_AI_PROVIDER_NAME, attributes.provider, 'invalid_provider');
    if (provider !== undefined) attrs[ATTR_GEN_AI_PROVIDER_NAME] = provider;
    const model = this.label(ATTR_GEN_AI_REQUEST_MODEL, attributes.model, 'invalid_model');
    if (model !== undefined) attrs[ATTR_GEN_AI_REQUEST_MODEL] = model;
    const task = this.label(ATTR_LLM_TASK, attributes.task, 'invalid_task');
    if (task !== undefined) attrs[ATTR_LLM_TASK] = task;
    return attrs;
  }

  /**
   * The bounded value of an optional string attribute: `undefined` when absent (`undefined` or
   * `null`); a present value that is not a non-empty string is dropped and counted as `reason`.
   */
  private label(key: string, value: unknown, reason: InvalidReason): string | undefined {
    if (typeof value === 'string' && value.length > 0) return this.limiter.admit(key, value);
    if (value !== undefined && value !== null)
      this.reject(reason, `${key} must be a non-empty string, got ${describeValue(value)}`);
    return undefined;
  }

  private recordRateLimitsUnsafe(record: RateLimitRecord): void {
    if (typeof record !== 'object' || record === null) {
      this.reject('invalid_record', 'recordRateLimits() needs an object');
      return;
    }
    if (!isNonEmptyString(record.provider)) {
      this.reject('missing_provider', 'recordRateLimits() needs a non-empty provider');
      return;
    }
    const headers: unknown = record.headers;
    let get: HeaderGetter;
    if (typeof headers === 'function') get = headers as HeaderGetter;
    else if (typeof headers === 'object' && headers !== null) get = headerGetter(headers as HeaderSource);
    else {
      this.reject(
        'invalid_headers',
        `recordRateLimits() headers must be an object or a function, got ${describeValue(headers)}`,
      );
      return;
    }
    const nowMs = record.nowMs ?? Date.now();
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
      this.reject('invalid_time', `recordRateLimits() nowMs ${describeValue(nowMs)} is not a finite number`);
      return;
    }
    const scheme = record.scheme ?? schemeOf(record.provider);
    if (!RATE_LIMIT_SCHEMES.has(scheme)) {
      this.reject(
        'invalid_record',
        `recordRateLimits() scheme ${describeValue(scheme)} is not openai, anthropic or all`,
      );
      return;
    }
    const info = parseRateLimitHeaders(get, { nowMs, scheme });
    for (const { name, reason } of info.malformed)
      this.reject(`rate_limit_header_${reason}`, `rate-limit header ${name} was ignored (${reason})`);
    if (info.windows.length === 0) return;
    const provider = this.limiter.admit(ATTR_GEN_AI_PROVIDER_NAME, record.provider);
    const serverAddress = this.label(ATTR_SERVER_ADDRESS, record.serverAddress, 'invalid_server_address');
    this.rateLimits.update(provider, serverAddress, info.windows);
    // The gauges report at collection: bind them to the current provider (cheap when already bound).
    this.instruments();
  }

  private recordInferenceUnsafe(record: InferenceRecord, span: CallSpan | undefined): void {
    if (typeof record !== 'object' || record === null) {
      this.reject('invalid_record', 'recordInference() needs an object');
      return;
    }
    if (!isNonEmptyString(record.provider)) {
      this.reject('missing_provider', 'recordInference() needs a non-empty provider');
      return;
    }
    if (!isNonEmptyString(record.operation)) {
      this.reject('missing_operation', 'recordInference() needs a non-empty operation');
      return;
    }
    if (!isValidSeconds(record.durationSeconds)) {
      this.reject(
        'invalid_duration',
        `duration ${describeValue(record.durationSeconds)} s is not a finite number >= 0`,
      );
      return;
    }

    const set = this.instruments();
    const provider = this.limiter.admit(ATTR_GEN_AI_PROVIDER_NAME, record.provider);
    const operation = this.limiter.admit(ATTR_GEN_AI_OPERATION_NAME, record.operation);
    const model = this.label(ATTR_GEN_AI_REQUEST_MODEL, record.model, 'invalid_model');
    const responseModel = this.label(ATTR_GEN_AI_RESPONSE_MODEL, record.responseModel, 'invalid_response_model');
    const serverAddress = this.label(ATTR_SERVER_ADDRESS, record.serverAddress, 'invalid_server_address');
    const serverPort = this.port(record.serverPort);
    const attrs: Attributes = {
      [ATTR_GEN_AI_PROVIDER_NAME]: provider,
      [ATTR_GEN_AI_OPERATION_NAME]: operation,
    };
    if (model !== undefined) attrs[ATTR_GEN_AI_REQUEST_MODEL] = model;
    if (responseModel !== undefined) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
    if (serverAddress !== undefined) attrs[ATTR_SERVER_ADDRESS] = serverAddress;
    if (serverPort !== undefined) attrs[ATTR_SERVER_PORT] = serverPort;

    // The call's variant, looked up only when someone uses it (one branch each otherwise).
    const variantSink = this.variantSink;
    const experimentSink = this.experimentSink;
    let variant: Variant | undefined;
    if (variantSink !== undefined || experimentSink !== undefined) {
      const given = record.variant === undefined ? currentVariant() : record.variant;
      if (isVariant(given)) variant = given;
      else if (given !== null && given !== undefined)
        this.reject('invalid_variant', "the record's variant was not returned by defineVariant()");
    }
    // An experiment arm's calls carry the bounded llm.variant label (absent otherwise).
    const armVariant = variant !== undefined && experimentSink?.isArm(variant) === true ? variant : undefined;
    let variantLabel: string | undefined;
    if (armVariant !== undefined) {
      variantLabel = this.limiter.admit(ATTR_LLM_VARIANT, armVariant.name);
      attrs[ATTR_LLM_VARIANT] = variantLabel;
    }

    const genAi = this.options.genAiMetrics;
    // The core aggregator when a MetricProducer exports it (register()), else the SDK instruments.
    const sinks: CallSinks = this.aggregator ?? set.sinks;
    // The key of the attribute set: the admitted values (never holding a control character, see
    // KEY_SEPARATOR) joined by a control character, another one for an absent value: unambiguous.
    const baseKey =
      provider +
      KEY_SEPARATOR +
      operation +
      KEY_SEPARATOR +
      (model ?? KEY_ABSENT) +
      KEY_SEPARATOR +
      (responseModel ?? KEY_ABSENT) +
      KEY_SEPARATOR +
      (serverAddress ?? KEY_ABSENT) +
      KEY_SEPARATOR +
      (serverPort ?? KEY_ABSENT);
    // The cost series have no llm.variant: they keep the key without it.
    const key = variantLabel === undefined ? baseKey : baseKey + VARIANT_KEY_MARK + variantLabel;
    // The call's span: the one started with the call (one comparison when there is none), else one
    // made now for a call recorded by hand (when a TracerProvider is registered). Known before the
    // latency is recorded: a sampled span becomes the latency bucket's exemplar.
    const callSpan = span ?? (this.options.callSpans ? this.hindsightSpan(record) : undefined);
    const spanContext = callSpan?.span === undefined ? undefined : this.spanContextOf(callSpan.span);

    // `false`, `0` and `''` are "no error" as much as `undefined` and `null`.
    let errorType: string | undefined;
    if (record.error) {
      errorType = this.limiter.admit(ATTR_ERROR_TYPE, errorTypeOfRecord(record.error));
      const errorKey = key + KEY_SEPARATOR + errorType;
      sinks.errors.add(errorKey, 1, attrs, ATTR_ERROR_TYPE, errorType);
      sinks.inferenceLatency.record(errorKey, record.durationSeconds, attrs, ATTR_ERROR_TYPE, errorType, spanContext);
      if (genAi)
        sinks.genAiOperationDuration.record(errorKey, record.durationSeconds, attrs, ATTR_ERROR_TYPE, errorType);
    } else {
      sinks.inferenceLatency.record(key, record.durationSeconds, attrs, undefined, undefined, spanContext);
      if (genAi) sinks.genAiOperationDuration.record(key, record.durationSeconds, attrs);
    }

    const tokens = this.readTokens(record);
    const input = tokens.hasInput ? tokens.input : undefined;
    const output = tokens.hasOutput ? tokens.output : undefined;
    if (input !== undefined) this.recordTokens(sinks, key, attrs, input, TOKEN_TYPE_INPUT, genAi);
    if (output !== undefined) this.recordTokens(sinks, key, attrs, output, TOKEN_TYPE_OUTPUT, genAi);
    if (output !== undefined && output > 0) sinks.tokenGeneration.add(key, output, attrs);
    if (tokens.hasCachedInput) this.recordDetail(sinks, key, attrs, tokens.cachedInput, TOKEN_TYPE_CACHED_INPUT);
    if (tokens.hasCacheCreationInput)
      this.recordDetail(sinks, key, attrs, tokens.cacheCreationInput, TOKEN_TYPE_CACHE_CREATION_INPUT);
    if (tokens.hasReasoning) this.recordDetail(sinks, key, attrs, tokens.reasoningOutput, TOKEN_TYPE_REASONING);
    let costUsd: number | undefined;
    if (tokens.consistent && tokens.any) {
      const call = this.costedCall;
      call.seriesKey = baseKey;
      call.provider = provider;
      call.model = model;
      call.responseModel = responseModel;
      call.serverAddress = serverAddress;
      call.rawModel = record.model;
      call.rawResponseModel = record.responseModel;
      call.rawServerAddress = record.serverAddress;
      costUsd = this.costs.record(sinks, call, tokens);
    }

    let ttft: number | undefined;
    if (record.timeToFirstTokenSeconds !== undefined) {
      if (isValidSeconds(record.timeToFirstTokenSeconds) && record.timeToFirstTokenSeconds <= record.durationSeconds) {
        ttft = record.timeToFirstTokenSeconds;
        sinks.timeToFirstToken.record(key, ttft, attrs);
        if (genAi) sinks.genAiTimeToFirstChunk.record(key, ttft, attrs);
      } else {
        this.reject(
          'invalid_time_to_first_token',
          `time to first token ${describeValue(record.timeToFirstTokenSeconds)} s is not in [0, duration]`,
        );
      }
    }

    let perToken: number | undefined;
    if (record.timePerOutputTokenSeconds !== undefined && record.timePerOutputTokenSeconds !== null) {
      if (isValidSeconds(record.timePerOutputTokenSeconds)) {
        perToken = record.timePerOutputTokenSeconds;
      } else {
        this.reject(
          'invalid_time_per_output_token',
          `time per output token ${describeValue(record.timePerOutputTokenSeconds)} s is not a finite number >= 0`,
        );
      }
    } else if (record.timePerOutputTokenSeconds !== null && ttft !== undefined && output !== undefined && output >= 2) {
      perToken = (record.durationSeconds - ttft) / (output - 1);
    }
    if (perToken !== undefined) sinks.timePerOutputToken.record(key, perToken, attrs);

    // Successful calls only, with the recording path's notion of failure (a falsy error is none).
    if (this.options.driftDetection && !record.error) {
      this.feedDrift('latency', attrs, record.durationSeconds);
      if (output !== undefined) this.feedDrift('response_length', attrs, output);
    }

    if (callSpan !== undefined && callSpan !== NO_CALL_SPAN) this.endSpan(callSpan, record, tokens, errorType);

    // The per-call event: one branch when no sink is registered (the default).
    const eventSink = this.callEvents.sink;
    if (eventSink !== undefined)
      this.callEvents.emit(
        eventSink,
        record,
        { errorType, tokens, costUsd, timeToFirstTokenSeconds: ttft },
        this.callSpans.contextOf(callSpan),
      );

    // The variant sink (experiment tracking) and the A/B comparator: nothing without a variant.
    if (variant !== undefined && variantSink !== undefined)
      this.sendVariantCall(variantSink, variant, record, errorType, input, output, costUsd);
    if (armVariant !== undefined && experimentSink !== undefined) {
      const failed = errorType !== undefined;
      const seconds = record.durationSeconds;
      this.toVariantSink(() => experimentSink.call(armVariant, seconds, failed));
    }
  }

  private sendVariantCall(
    sink: VariantSink,
    variant: Variant,
    record: InferenceRecord,
    errorType: string | undefined,
    input: number | undefined,
    output: number | undefined,
    costUsd: number | undefined,
  ): void {
    const call = this.variantCall;
    call.variant = variant;
    call.durationSeconds = record.durationSeconds;
    call.failed = errorType !== undefined;
    call.errorType = errorType;
    call.inputTokens = input;
    call.outputTokens = output;
    call.costUsd = costUsd;
    call.temperature = this.sampling(record.temperature, isTemperature);
    call.topP = this.sampling(record.topP, isTopP);
    call.maxTokens = this.sampling(record.maxTokens, isMaxTokens);
    call.model = bounded(record.model);
    call.inputMessages = undefined;
    call.outputMessages = undefined;
    call.contentTruncated = false;
    // Messages only for a sink that asks for this call, and only while the app captures content.
    if (sink.wantsContent !== undefined && this.callEvents.getOptions().captureContent)
      this.addVariantContent(sink, record);
    this.toVariantSink(() => sink.call(call));
  }

  /** Puts the call's redacted, capped messages on the variant call when the sink wants them. */
  private addVariantContent(sink: VariantSink, record: InferenceRecord): void {
    const call = this.variantCall;
    let wanted = false;
    this.toVariantSink(() => {
      wanted = sink.wantsContent?.(call.variant) === true;
    });
    if (!wanted) return;
    const content = this.callEvents.content(record);
    if (content === undefined) return;
    call.inputMessages = content.input;
    call.outputMessages = content.output;
    call.contentTruncated = content.truncated;
  }

  /** A valid sampling parameter, `undefined` when absent; anything else is dropped and counted. */
  private sampling(value: unknown, ok: (n: number) => boolean): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && ok(value)) return value;
    this.reject('invalid_sampling_parameter', `sampling parameter ${describeValue(value)} is out of range`);
    return undefined;
  }

  /** Runs a variant sink's method; its failure is counted, never the app's. */
  private toVariantSink(send: () => void): void {
    try {
      send();
    } catch (error) {
      this.reportInternalError('variantSink', error);
    }
  }

  /** The span's context, `undefined` when reading it failed (a custom tracer): the exemplar is lost, not the call. */
  private spanContextOf(span: Span): SpanContext | undefined {
    try {
      return span.spanContext();
    } catch (error) {
      this.reportInternalError('callSpan', error);
      return undefined;
    }
  }

  /** A span for a call recorded without one; `undefined` without a provider or when the tracer failed. */
  private hindsightSpan(record: InferenceRecord): CallSpan | undefined {
    // A failing tracer (an SDK bug, a custom provider) costs the span only, not the call's event.
    try {
      return this.callSpans.startPast(record, record.durationSeconds);
    } catch (error) {
      this.reportInternalError('callSpan', error);
      return undefined;
    }
  }

  private endSpan(span: CallSpan, record: InferenceRecord, tokens: CallTokens, errorType: string | undefined): void {
    try {
      const { responseModel, responseId, finishReasons } = record;
      this.callSpans.end(span, { responseModel, responseId, finishReasons, tokens, errorType });
    } catch (error) {
      this.reportInternalError('callSpan', error);
    }
  }

  /**
   * The call's token counts in one convention (see {@link CallTokens}); invalid counts are dropped
   * and counted, and details that cannot be placed inside the input or output count are dropped
   * (with the cost of the call) and counted.
   */
  private readTokens(record: InferenceRecord): CallTokens {
    const tokens = this.tokens;
    const input = this.validCount(record.inputTokens);
    const output = this.validCount(record.outputTokens);
    const cached = this.validCount(record.cachedInputTokens);
    const creation = this.validCount(record.cacheCreationInputTokens);
    const reasoning = this.validCount(record.reasoningTokens);
    const problem = tokens.read(
      input,
      output,
      cached,
      creation,
      reasoning,
      record.inputTokensKind,
      record.outputTokensKind,
    );
    if (problem === 'invalid_token_kind') {
      this.reject(
        problem,
        `inputTokensKind ${describeValue(record.inputTokensKind)} or outputTokensKind ${describeValue(record.outputTokensKind)} is not total, uncached (input) or visible (output); token details and cost were dropped`,
      );
    } else if (problem === 'inconsistent_token_usage') {
      this.reject(
        problem,
        "cached and cache-creation tokens exceed the total input tokens, or reasoning tokens the total output tokens; token details and cost were dropped (Anthropic's input_tokens exclude the cache: set inputTokensKind: 'uncached')",
      );
    }
    return tokens;
  }

  private recordDetail(sinks: CallSinks, key: string, attrs: Attributes, tokens: number, type: string): void {
    sinks.tokenUsageDetail.add(key + KEY_SEPARATOR + type, tokens, attrs, ATTR_GEN_AI_TOKEN_TYPE, type);
  }

  private recordTokens(sinks: CallSinks, key: string, attrs: Attributes, tokens: number, type: string, genAi: boolean) {
    const tokenKey = key + KEY_SEPARATOR + type;
    sinks.requestTokens.record(tokenKey, tokens, attrs, ATTR_GEN_AI_TOKEN_TYPE, type);
    if (genAi) sinks.genAiTokenUsage.record(tokenKey, tokens, attrs, ATTR_GEN_AI_TOKEN_TYPE, type);
  }

  /** Feeds the drift monitor, keyed by model and (for calls) `gen_ai.operation.name`; needs a model. */
  private feedDrift(metric: 'latency' | 'response_length' | 'quality_score', attrs: Attributes, value: number): void {
    const model = attrs[ATTR_GEN_AI_REQUEST_MODEL];
    const operation = attrs[ATTR_GEN_AI_OPERATION_NAME];
    if (typeof model === 'string')
      sharedDriftMonitor(this).observe(metric, model, value, typeof operation === 'string' ? operation : undefined);
  }

  /** A valid `server.port` (1..65535), `undefined` when absent; anything else is dropped and counted. */
  private port(value: unknown): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (isValidCount(value) && value > 0 && value < 65536) return value;
    this.reject('invalid_server_port', `server port ${describeValue(value)} is not an integer from 1 to 65535`);
    return undefined;
  }

  private validCount(value: unknown): number | undefined {
    if (value === undefined) return undefined;
    if (isValidCount(value)) return value;
    this.reject('invalid_token_count', `token count ${describeValue(value)} is not a non-negative integer`);
    return undefined;
  }
}

const shared = globalSingleton('llmMetrics', () => new LlmMetrics());

/**
 * The process-wide recording API, bound to the global MeterProvider. Cheap to call repeatedly (it
 * returns the same object); instruments follow the global provider, so calls made before
 * `register()` (or before any SDK is installed) are no-ops and calls after it record.
 *
 * @param options Limits and opt-ins to apply (process-wide) before returning the instance.
 */
export function getLlmMetrics(options?: Partial<LlmMetricsOptions>): LlmMetrics {
  if (options !== undefined) shared.configure(options);
  return shared;
}
