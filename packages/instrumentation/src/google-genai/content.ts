import type { GenAiInputMessage, GenAiOutputMessage } from '@llm-otel/core';
import {
  forEachBounded,
  ItemBudget,
  message,
  type Parts,
  pushMedia,
  pushText,
  pushToolCall,
  pushToolResponse,
} from '../shared/messages.js';
import { field } from '../shared/safe.js';

/**
 * Google Gen AI requests and responses as GenAI messages (the opt-in content of the call's event):
 * `config.systemInstruction` and `contents` of the request, the first candidate's `content` of the
 * response. Used only while content capture is on.
 *
 * The client takes loose shapes (`ContentListUnion`): a string, a part, a `Content` (`{ role, parts }`),
 * or a list of either; a list of parts is one user message, as the client sends it. Gemini's `model`
 * role is the conventions' `assistant`.
 */

/** Gemini's finish reasons as the conventions' (`stop`, `length`, `content_filter`); others kept as sent. */
const FINISH_REASONS: Readonly<Record<string, string>> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
};

function finishReason(reason: unknown): string | undefined {
  if (typeof reason !== 'string' || reason.length === 0) return undefined;
  return Object.hasOwn(FINISH_REASONS, reason) ? FINISH_REASONS[reason] : reason;
}

/** `model` is the conventions' `assistant`; other roles as sent (a `Content` without one is the user's). */
function roleOf(role: unknown): unknown {
  if (role === undefined) return 'user';
  return role === 'model' ? 'assistant' : role;
}

/** One part: text (a thought is reasoning), inline data, a file, a function call or its response. */
function pushPart(parts: Parts, budget: ItemBudget, part: unknown): void {
  if (typeof part === 'string') {
    pushText(parts, budget, 'text', part);
    return;
  }
  const text = field(part, 'text');
  if (text !== undefined) {
    pushText(parts, budget, field(part, 'thought') === true ? 'reasoning' : 'text', text);
    return;
  }
  const call = field(part, 'functionCall');
  if (call !== undefined) {
    pushToolCall(parts, budget, field(call, 'id'), field(call, 'name'), field(call, 'args'));
    return;
  }
  const response = field(part, 'functionResponse');
  if (response !== undefined) {
    pushToolResponse(parts, budget, field(response, 'id'), field(response, 'response'));
    return;
  }
  const inline = field(part, 'inlineData');
  if (inline !== undefined) {
    pushMedia(parts, budget, undefined, { data: field(inline, 'data'), mimeType: field(inline, 'mimeType') });
    return;
  }
  const file = field(part, 'fileData');
  if (file !== undefined)
    pushMedia(parts, budget, undefined, { url: field(file, 'fileUri'), mimeType: field(file, 'mimeType') });
}

/** The parts of a `Content`'s `parts`, of a list of parts, or of one part. */
function partsOf(value: unknown, budget: ItemBudget): Parts {
  const parts: Parts = [];
  if (Array.isArray(value)) forEachBounded(value, budget, (part) => pushPart(parts, budget, part));
  else pushPart(parts, budget, value);
  return parts;
}

function isContent(value: unknown): boolean {
  return typeof value === 'object' && value !== null && field(value, 'parts') !== undefined;
}

/** A `Content` as a message, with `role` when it has none (a system instruction). */
function contentMessage(content: unknown, budget: ItemBudget, role?: string): GenAiInputMessage | undefined {
  return message(role ?? roleOf(field(content, 'role')), partsOf(field(content, 'parts'), budget), budget);
}

/** A `ContentListUnion`: Contents are messages; parts (one, or a list) are one user message. */
function contentsOf(contents: unknown, budget: ItemBudget, out: GenAiInputMessage[]): void {
  const push = (kept: GenAiInputMessage | undefined): void => {
    if (kept !== undefined) out.push(kept);
  };
  if (Array.isArray(contents) && contents.some(isContent))
    forEachBounded(contents, budget, (item) =>
      push(isContent(item) ? contentMessage(item, budget) : message('user', partsOf(item, budget), budget)),
    );
  else if (isContent(contents)) push(contentMessage(contents, budget));
  else if (contents !== undefined && contents !== null) push(message('user', partsOf(contents, budget), budget));
}

/** The request: `config.systemInstruction` as a system message first, then `contents`. */
export function geminiInput(params: unknown): GenAiInputMessage[] {
  const budget = new ItemBudget();
  const out: GenAiInputMessage[] = [];
  const system = field(field(params, 'config'), 'systemInstruction');
  if (system !== undefined && system !== null) {
    const kept = isContent(system)
      ? contentMessage(system, budget, 'system')
      : message('system', partsOf(system, budget), budget);
    if (kept !== undefined) out.push(kept);
  }
  contentsOf(field(params, 'contents'), budget, out);
  return out;
}

/** The response: the first candidate's content as one assistant message, with its finish reason. */
export function geminiOutput(response: unknown): GenAiOutputMessage[] {
  const budget = new ItemBudget();
  const candidate = field(field(response, 'candidates'), '0');
  if (candidate === undefined) return [];
  const kept = message('assistant', partsOf(field(field(candidate, 'content'), 'parts'), budget), budget);
  if (kept === undefined) return [];
  const finish = finishReason(field(candidate, 'finishReason'));
  return [finish === undefined ? kept : { ...kept, finish_reason: finish }];
}

/**
 * A stream's output: the text it assembled (shared/stream-text.ts, thoughts left out) and the
 * function calls its chunks carried (each comes whole in one chunk), with the last finish reason.
 */
export function geminiStreamOutput(text: string, toolCalls: Parts, reason: unknown): GenAiOutputMessage[] {
  const parts: Parts = text.length > 0 ? [{ type: 'text', content: text }, ...toolCalls] : toolCalls;
  const finish = finishReason(reason);
  return [finish === undefined ? { role: 'assistant', parts } : { role: 'assistant', parts, finish_reason: finish }];
}

/** Keeps the function calls of a stream's chunk (for {@link geminiStreamOutput}), within `budget`. */
export function noteStreamedCalls(chunkParts: unknown, calls: Parts, budget: ItemBudget): void {
  if (!Array.isArray(chunkParts)) return;
  for (const part of chunkParts) {
    const call = field(part, 'functionCall');
    if (call !== undefined) pushToolCall(calls, budget, field(call, 'id'), field(call, 'name'), field(call, 'args'));
  }
}
