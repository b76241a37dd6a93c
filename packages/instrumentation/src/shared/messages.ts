import type { GenAiInputMessage, GenAiMessagePart, GenAiOutputMessage } from '@llm-otel/core';
import { field } from './safe.js';

/**
 * Building blocks of the opt-in message content (`gen_ai.input.messages`, `gen_ai.output.messages`):
 * the GenAI semantic conventions' message shape, `{ role, parts: [{ type, ... }], finish_reason }`
 * (semantic-conventions-genai v0.1.0, `gen-ai-input-messages.json` / `gen-ai-output-messages.json`).
 * The provider modules (openai/content.ts, anthropic/content.ts, ollama/content.ts) convert their
 * request and response shapes with these, only while content capture is on (see CallMeter).
 *
 * Nothing here copies or alters the app's objects: parts reference the app's strings (and tool
 * arguments) as they are; core redacts and caps them when it builds the event.
 */

/**
 * Items (messages, parts, and elements of the app's arrays looked at) converted per call, in all:
 * bounds the work whatever the size of the conversation. Core keeps at most 1024 messages, parts and
 * keys of an event anyway.
 */
export const MAX_CONVERTED_ITEMS = 4096;

/** The items left for one call's conversion: every message and part taken costs one. */
export class ItemBudget {
  private left = MAX_CONVERTED_ITEMS;

  /** Takes one item; false once the budget is spent (the rest is left out). */
  take(): boolean {
    if (this.left <= 0) return false;
    this.left--;
    return true;
  }
}

/** The parts of one message, as they are converted. */
export type Parts = GenAiMessagePart[];

/** A message with `role` and `parts`, or nothing when the role is not a non-empty string or no budget is left. */
export function message(
  role: unknown,
  parts: Parts,
  budget: ItemBudget,
  name?: unknown,
): GenAiInputMessage | undefined {
  if (typeof role !== 'string' || role.length === 0 || !budget.take()) return undefined;
  return typeof name === 'string' && name.length > 0 ? { role, name, parts } : { role, parts };
}

/**
 * Adds a part whose content is a string (`text`, `reasoning`, or a provider type such as `refusal`);
 * anything but a non-empty string is left out.
 */
export function pushText(parts: Parts, budget: ItemBudget, type: string, content: unknown): void {
  if (typeof content === 'string' && content.length > 0 && budget.take()) parts.push({ type, content });
}

/**
 * Adds a `tool_call` part: the tool's name, the call id when the API has one, and its arguments as
 * the API carries them (a JSON string for OpenAI, an object for Anthropic and Ollama: not parsed).
 */
export function pushToolCall(parts: Parts, budget: ItemBudget, id: unknown, name: unknown, args: unknown): void {
  if (typeof name !== 'string' || !budget.take()) return;
  const part: GenAiMessagePart = { type: 'tool_call', name };
  if (typeof id === 'string' && id.length > 0) part.id = id;
  if (args !== undefined && args !== null) part.arguments = args;
  parts.push(part);
}

/** Adds a `tool_call_response` part: the result the app sends back for a tool call. */
export function pushToolResponse(parts: Parts, budget: ItemBudget, id: unknown, response: unknown): void {
  if (response === undefined || response === null || !budget.take()) return;
  const part: GenAiMessagePart = { type: 'tool_call_response', response };
  if (typeof id === 'string' && id.length > 0) part.id = id;
  parts.push(part);
}

/** Where a media part's data is: a URL (a `data:` URL is inline data), inline base64 data, or a provider file id. */
export interface MediaSource {
  url?: unknown;
  data?: unknown;
  fileId?: unknown;
  mimeType?: unknown;
}

/**
 * Adds an image, audio or file part: `uri` for a URL, `blob` for inline data (a `data:` URL's payload
 * or base64 data), `file` for a provider file id. Binary data is kept as the app sent it (a base64
 * string); core cuts it to the per-message cap like any content.
 */
export function pushMedia(parts: Parts, budget: ItemBudget, modality: string | undefined, source: MediaSource): void {
  const { url, data, fileId } = source;
  const part: GenAiMessagePart | undefined =
    typeof url === 'string' && url.length > 0
      ? url.startsWith('data:')
        ? dataUrlPart(url)
        : { type: 'uri', uri: url }
      : typeof data === 'string' && data.length > 0
        ? { type: 'blob', content: data }
        : typeof fileId === 'string' && fileId.length > 0
          ? { type: 'file', file_id: fileId }
          : undefined;
  if (part === undefined || !budget.take()) return;
  if (modality !== undefined) part.modality = modality;
  if (typeof source.mimeType === 'string' && source.mimeType.length > 0 && part.mime_type === undefined)
    part.mime_type = source.mimeType;
  parts.push(part);
}

/** A `blob` part of a `data:[<mime>][;base64],<data>` URL (read with indexOf: linear, no regex). */
function dataUrlPart(url: string): GenAiMessagePart {
  const comma = url.indexOf(',');
  if (comma < 0) return { type: 'blob', content: '' };
  const header = url.slice(5, comma);
  const semicolon = header.indexOf(';');
  const mime = semicolon < 0 ? header : header.slice(0, semicolon);
  const part: GenAiMessagePart = { type: 'blob', content: url.slice(comma + 1) };
  if (mime.length > 0) part.mime_type = mime;
  return part;
}

/**
 * The conventions' finish reason of an output message (`stop`, `length`, `content_filter`,
 * `tool_call`, `error`) for a provider's value; an unknown value is kept as it is. The span and the
 * event's `gen_ai.response.finish_reasons` keep the provider's own values.
 */
const FINISH_REASONS: Readonly<Record<string, string>> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content_filter',
  tool_calls: 'tool_call',
  function_call: 'tool_call',
  // Anthropic
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_call',
  refusal: 'content_filter',
  model_context_window_exceeded: 'length',
};

/** See {@link FINISH_REASONS}; undefined when `reason` is not a non-empty string. */
export function finishReason(reason: unknown): string | undefined {
  if (typeof reason !== 'string' || reason.length === 0) return undefined;
  return Object.hasOwn(FINISH_REASONS, reason) ? FINISH_REASONS[reason] : reason;
}

/** `message` as an output message, with its finish reason when known. */
export function outputMessage(message: GenAiInputMessage | undefined, reason: unknown): GenAiOutputMessage | undefined {
  if (message === undefined) return undefined;
  const finish = finishReason(reason);
  return finish === undefined ? message : { ...message, finish_reason: finish };
}

/**
 * The output of a stream: one assistant message with the text the stream assembled (bounded by
 * shared/stream-text.ts), its tool calls when they were assembled, and the first choice's finish
 * reason when the stream said it.
 */
export function streamedOutput(
  text: string,
  finishReasons: readonly string[] | undefined,
  toolCalls?: StreamToolCalls,
): GenAiOutputMessage[] {
  const parts: Parts = text.length > 0 ? [{ type: 'text', content: text }] : [];
  if (toolCalls !== undefined) parts.push(...toolCalls.parts());
  const finish = finishReason(finishReasons?.[0]);
  return [finish === undefined ? { role: 'assistant', parts } : { role: 'assistant', parts, finish_reason: finish }];
}

/** Calls `each` for the items of `list` while the budget lasts (one item per element). */
export function forEachBounded(list: unknown, budget: ItemBudget, each: (item: unknown) => void): void {
  if (!Array.isArray(list)) return;
  for (const item of list) {
    if (!budget.take()) return;
    each(item);
  }
}

/** `object.type`, for switching on the content blocks of a message. */
export function typeOf(object: unknown): unknown {
  return field(object, 'type');
}

/** Most tool calls of one streamed answer that are assembled (OpenAI `index`, Anthropic block index). */
const MAX_STREAM_TOOL_CALLS = 128;
/** Characters of streamed tool arguments kept per stream, in all (like the stream's text). */
const MAX_STREAM_TOOL_CHARS = 32_768;

/**
 * The tool calls of a stream, assembled from their pieces (id and name first, then the arguments'
 * JSON text in deltas), bounded in number and characters. Streams build one only while content is
 * captured.
 */
export class StreamToolCalls {
  private readonly calls: Array<{ id?: string; name?: string; args: string } | undefined> = [];
  private chars = 0;

  /** Notes a piece of the tool call at `index`: its id and name when first given, a piece of its arguments. */
  note(index: unknown, id: unknown, name: unknown, args: unknown): void {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= MAX_STREAM_TOOL_CALLS) return;
    let call = this.calls[index];
    if (call === undefined) {
      call = { args: '' };
      this.calls[index] = call;
    }
    if (call.id === undefined && typeof id === 'string' && id.length > 0) call.id = id;
    if (call.name === undefined && typeof name === 'string' && name.length > 0) call.name = name;
    if (typeof args !== 'string' || args.length === 0) return;
    const room = MAX_STREAM_TOOL_CHARS - this.chars;
    if (room <= 0) return;
    const piece = args.length <= room ? args : args.slice(0, room);
    call.args += piece;
    this.chars += piece.length;
  }

  /** The `tool_call` parts of the calls that got a name, in index order (arguments as the JSON text streamed). */
  parts(): Parts {
    const parts: Parts = [];
    for (const call of this.calls) {
      if (call?.name === undefined) continue;
      const part: GenAiMessagePart = { type: 'tool_call', name: call.name };
      if (call.id !== undefined) part.id = call.id;
      if (call.args.length > 0) part.arguments = call.args;
      parts.push(part);
    }
    return parts;
  }
}
