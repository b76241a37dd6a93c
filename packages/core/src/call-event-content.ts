import { LlmOtelConfigError } from './config-error.js';
import { checkOptions, integerIn, isBoolean, type OptionCheck } from './option-checks.js';

/**
 * A value the event carries: what the OpenTelemetry logs API calls an `AnyValue` (scalars, arrays
 * and string-keyed maps of them), so that messages stay structured as the GenAI conventions ask.
 */
export type CallEventValue =
  | string
  | number
  | boolean
  | readonly CallEventValue[]
  | { readonly [key: string]: CallEventValue };

/**
 * A part of a GenAI message, as the GenAI semantic conventions' message JSON schemas shape it:
 * `{ type: 'text', content }`, `{ type: 'tool_call', id, name, arguments }`,
 * `{ type: 'tool_call_response', id, response }`, `{ type: 'reasoning', content }`, or another
 * `type` with its own fields.
 */
export interface GenAiMessagePart {
  type: string;
  [field: string]: unknown;
}

/** A message sent to the model (`gen_ai.input.messages`): a role and its parts. */
export interface GenAiInputMessage {
  /** `system`, `user`, `assistant`, `tool`, or a provider-specific role. */
  role: string;
  parts: readonly GenAiMessagePart[];
  /** The participant's name, when the API carries one. */
  name?: string;
}

/** A message the model returned (`gen_ai.output.messages`): one per choice or candidate. */
export interface GenAiOutputMessage extends GenAiInputMessage {
  /** Why the model stopped this choice, e.g. `stop`, `length`, `tool_call`. */
  finish_reason?: string;
}

/** Options of the per-call event's content capture (see {@link LlmMetrics.configureCallEvents}). */
export interface CallEventOptions {
  /**
   * Put the messages a call records (`inputMessages`, `outputMessages`) on its event as
   * `gen_ai.input.messages` and `gen_ai.output.messages`. Default: false, unless
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is `true` (or `EVENT_ONLY`,
   * `SPAN_AND_EVENT`). Content never becomes a metric label either way.
   */
  captureContent: boolean;
  /** Characters of content kept per message (after redaction); the rest is cut. Default 8192. */
  maxMessageLength: number;
  /** Characters of content kept per event, input and output together. Default 32768. */
  maxContentLength: number;
  /**
   * Called with each content string (text, tool arguments and results) before it is kept: return
   * the text to keep, or `undefined` to leave that value out. When it throws, the event carries no
   * content at all (fail closed) and the error is counted in `llm_otel_internal_errors_total`.
   */
  redact: ((content: string) => string | undefined) | undefined;
}

/** Default caps of the content capture. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 8192;
export const DEFAULT_MAX_CONTENT_LENGTH = 32768;

const isRedactor: OptionCheck = (value, name) => {
  if (typeof value !== 'function')
    throw new LlmOtelConfigError(`${name} must be a function (content) => string | undefined, got ${typeof value}`);
};

const OPTION_CHECKS: Readonly<Record<keyof CallEventOptions, OptionCheck>> = {
  captureContent: isBoolean,
  maxMessageLength: integerIn(1, 1_048_576),
  maxContentLength: integerIn(1, 16_777_216),
  redact: isRedactor,
};

/** Whether `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` asks for content on events. */
export function captureContentFromEnv(value: string | undefined): boolean {
  return typeof value === 'string' && /^(true|event_only|span_and_event)$/i.test(value.trim());
}

/** The defaults, with content capture taken from the environment. */
export function defaultCallEventOptions(): CallEventOptions {
  const env = typeof process === 'object' ? process.env?.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT : undefined;
  return {
    captureContent: captureContentFromEnv(env),
    maxMessageLength: DEFAULT_MAX_MESSAGE_LENGTH,
    maxContentLength: DEFAULT_MAX_CONTENT_LENGTH,
    redact: undefined,
  };
}

/**
 * `base` with `changes` applied after checking them (a key set to `undefined` goes back to its
 * default). @throws LlmOtelConfigError naming the bad option; nothing is changed then.
 */
export function applyCallEventOptions(
  base: CallEventOptions,
  defaults: CallEventOptions,
  changes: unknown,
): CallEventOptions {
  checkOptions(changes, OPTION_CHECKS, 'configureCallEvents() options');
  const next = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(changes as object))
    next[key] = value === undefined ? defaults[key as keyof CallEventOptions] : value;
  return next as unknown as CallEventOptions;
}

/** Fields of messages and parts that describe structure, not content: never redacted. */
const STRUCTURAL_FIELDS: ReadonlySet<string> = new Set([
  'type',
  'role',
  'id',
  'name',
  'finish_reason',
  'mime_type',
  'modality',
]);
/** Longest structural value kept (a role, an id, a tool name). */
const MAX_STRUCTURAL_LENGTH = 256;
/** Nesting kept inside a part (tool arguments are JSON objects); deeper values are left out. */
const MAX_DEPTH = 8;
/** Messages, parts and object keys looked at per event: bounds the work whatever the input. */
const MAX_ITEMS = 1024;

/** Why captured content is incomplete or absent. */
export type ContentProblem = 'invalid_messages' | 'redact_failed';

/** The capture of one event's messages: a shared budget, the redactor and what went wrong. */
export class ContentCapture {
  /** Content characters left for the event. */
  private remaining: number;
  /** Content characters left for the message being copied. */
  private messageRemaining = 0;
  /** Messages, parts and keys left to look at. */
  private items = MAX_ITEMS;
  truncated = false;
  problem: ContentProblem | undefined;
  redactError: unknown;

  constructor(private readonly options: CallEventOptions) {
    this.remaining = options.maxContentLength;
  }

  /**
   * The messages as the event carries them, or `undefined` when `value` is not an array of
   * messages (a problem is set) or the budget is spent. Each message is `{ role, parts, ... }`.
   */
  messages(value: unknown): CallEventValue[] | undefined {
    if (!Array.isArray(value)) {
      this.problem = 'invalid_messages';
      return undefined;
    }
    const out: CallEventValue[] = [];
    for (const message of value) {
      if (this.remaining <= 0 || --this.items < 0) {
        this.truncated = true;
        break;
      }
      const copy = this.message(message);
      if (this.problem === 'redact_failed') return undefined;
      if (copy === undefined) this.problem = 'invalid_messages';
      else out.push(copy);
    }
    return out;
  }

  private message(message: unknown): CallEventValue | undefined {
    if (typeof message !== 'object' || message === null) return undefined;
    const { role, parts } = message as { role?: unknown; parts?: unknown };
    if (typeof role !== 'string' || !Array.isArray(parts)) return undefined;
    this.messageRemaining = Math.min(this.options.maxMessageLength, this.remaining);
    const copy: Record<string, CallEventValue> = { role: structural(role) };
    const name = (message as { name?: unknown }).name;
    if (typeof name === 'string') copy.name = structural(name);
    const copiedParts: CallEventValue[] = [];
    for (const part of parts) {
      if (--this.items < 0 || this.messageRemaining <= 0) {
        this.truncated = true;
        break;
      }
      if (typeof part !== 'object' || part === null || typeof (part as GenAiMessagePart).type !== 'string') continue;
      const kept = this.value(part, 0);
      if (this.problem === 'redact_failed') return undefined;
      if (kept !== undefined) copiedParts.push(kept);
    }
    copy.parts = copiedParts;
    const finish = (message as { finish_reason?: unknown }).finish_reason;
    if (typeof finish === 'string') copy.finish_reason = structural(finish);
    return copy;
  }

  /** A copy of a part's value: strings are content (redacted, then cut to the budget). */
  private value(value: unknown, depth: number): CallEventValue | undefined {
    if (typeof value === 'string') return this.content(value);
    if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return undefined;
    if (Array.isArray(value)) {
      const out: CallEventValue[] = [];
      for (const item of value) {
        if (--this.items < 0) {
          this.truncated = true;
          break;
        }
        const kept = this.value(item, depth + 1);
        if (this.problem === 'redact_failed') return undefined;
        if (kept !== undefined) out.push(kept);
      }
      return out;
    }
    const out: Record<string, CallEventValue> = {};
    for (const key of Object.keys(value)) {
      if (--this.items < 0) {
        this.truncated = true;
        break;
      }
      const field = (value as Record<string, unknown>)[key];
      const kept =
        depth === 0 && STRUCTURAL_FIELDS.has(key) && typeof field === 'string'
          ? structural(field)
          : this.value(field, depth + 1);
      if (this.problem === 'redact_failed') return undefined;
      if (kept !== undefined) out[key] = kept;
    }
    return out;
  }

  private content(text: string): string | undefined {
    let kept: string | undefined = text;
    const { redact } = this.options;
    if (redact !== undefined) {
      try {
        kept = redact(text);
      } catch (error) {
        this.problem = 'redact_failed';
        this.redactError = error;
        return undefined;
      }
      // Anything but a string (or undefined) from the hook is treated as "leave it out".
      if (typeof kept !== 'string') return undefined;
    }
    const budget = this.messageRemaining;
    if (kept.length > budget) {
      kept = cut(kept, budget);
      this.truncated = true;
    }
    this.messageRemaining -= kept.length;
    this.remaining -= kept.length;
    return kept;
  }
}

/** A structural value, bounded in length. */
function structural(value: string): string {
  return value.length > MAX_STRUCTURAL_LENGTH ? cut(value, MAX_STRUCTURAL_LENGTH) : value;
}

/** The first `length` UTF-16 units of `text`, never ending in half a surrogate pair. */
export function cut(text: string, length: number): string {
  if (length <= 0) return '';
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}
