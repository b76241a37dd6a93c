import type { GenAiInputMessage, GenAiOutputMessage } from '@llm-otel/core';
import {
  forEachBounded,
  ItemBudget,
  message,
  outputMessage,
  type Parts,
  pushMedia,
  pushText,
  pushToolCall,
  pushToolResponse,
} from '../shared/messages.js';
import { field } from '../shared/safe.js';

/**
 * Ollama requests and responses as GenAI messages (the opt-in content of the call's event): `chat`'s
 * `messages` and `message`, `generate`'s `system`, `prompt` and `response`. Used only while content
 * capture is on. Images given as base64 strings become `blob` parts; byte arrays are left out (they
 * are not converted to text).
 */

function pushImages(parts: Parts, budget: ItemBudget, images: unknown): void {
  forEachBounded(images, budget, (image) => pushMedia(parts, budget, 'image', { data: image }));
}

/** A chat message (request or response): thinking, text, images, tool calls; a `tool` message's result. */
function chatParts(chat: unknown, budget: ItemBudget): Parts {
  const parts: Parts = [];
  pushText(parts, budget, 'reasoning', field(chat, 'thinking'));
  if (field(chat, 'role') === 'tool') {
    pushToolResponse(parts, budget, undefined, field(chat, 'content'));
    return parts;
  }
  pushText(parts, budget, 'text', field(chat, 'content'));
  pushImages(parts, budget, field(chat, 'images'));
  forEachBounded(field(chat, 'tool_calls'), budget, (call) => {
    const fn = field(call, 'function');
    pushToolCall(parts, budget, undefined, field(fn, 'name'), field(fn, 'arguments'));
  });
  return parts;
}

/** `chat` request: its `messages` (a tool result's `tool_name` as the message's name). */
export function ollamaChatInput(body: unknown): GenAiInputMessage[] {
  const budget = new ItemBudget();
  const out: GenAiInputMessage[] = [];
  forEachBounded(field(body, 'messages'), budget, (chat) => {
    const kept = message(field(chat, 'role'), chatParts(chat, budget), budget, field(chat, 'tool_name'));
    if (kept !== undefined) out.push(kept);
  });
  return out;
}

/** `chat` response: its `message`, with `done_reason`. */
export function ollamaChatOutput(response: unknown): GenAiOutputMessage[] {
  const budget = new ItemBudget();
  const chat = field(response, 'message');
  const kept = outputMessage(
    message(field(chat, 'role') ?? 'assistant', chatParts(chat, budget), budget),
    field(response, 'done_reason'),
  );
  return kept === undefined ? [] : [kept];
}

/** `generate` request: `system` as a system message, then `prompt` (and `images`) as the user's. */
export function ollamaGenerateInput(body: unknown): GenAiInputMessage[] {
  const budget = new ItemBudget();
  const out: GenAiInputMessage[] = [];
  const system: Parts = [];
  pushText(system, budget, 'text', field(body, 'system'));
  if (system.length > 0) out.push({ role: 'system', parts: system });
  const user: Parts = [];
  pushText(user, budget, 'text', field(body, 'prompt'));
  pushImages(user, budget, field(body, 'images'));
  out.push({ role: 'user', parts: user });
  return out;
}

/** `generate` response: `thinking` and `response` as one assistant message, with `done_reason`. */
export function ollamaGenerateOutput(response: unknown): GenAiOutputMessage[] {
  const budget = new ItemBudget();
  const parts: Parts = [];
  pushText(parts, budget, 'reasoning', field(response, 'thinking'));
  pushText(parts, budget, 'text', field(response, 'response'));
  const kept = outputMessage(message('assistant', parts, budget), field(response, 'done_reason'));
  return kept === undefined ? [] : [kept];
}
