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
  typeOf,
} from '../shared/messages.js';
import { field } from '../shared/safe.js';

/**
 * OpenAI requests and responses as GenAI messages (the opt-in content of the call's event): Chat
 * Completions `messages` and `choices`, the Responses API `instructions`, `input` and `output`, and
 * the legacy Completions `prompt` and `choices`. Used only while content capture is on.
 */

/** A content part of a chat message or a Responses input/output item. */
function pushContentPart(parts: Parts, budget: ItemBudget, block: unknown): void {
  switch (typeOf(block)) {
    case 'text':
    case 'input_text':
    case 'output_text':
      pushText(parts, budget, 'text', field(block, 'text'));
      break;
    case 'refusal':
      pushText(parts, budget, 'refusal', field(block, 'refusal'));
      break;
    case 'image_url':
      pushMedia(parts, budget, 'image', { url: field(field(block, 'image_url'), 'url') });
      break;
    case 'input_image':
      pushMedia(parts, budget, 'image', { url: field(block, 'image_url'), fileId: field(block, 'file_id') });
      break;
    case 'input_audio': {
      const audio = field(block, 'input_audio');
      const format = field(audio, 'format');
      pushMedia(parts, budget, 'audio', {
        data: field(audio, 'data'),
        mimeType: typeof format === 'string' ? `audio/${format}` : undefined,
      });
      break;
    }
    case 'file': {
      const file = field(block, 'file');
      pushMedia(parts, budget, undefined, { data: field(file, 'file_data'), fileId: field(file, 'file_id') });
      break;
    }
    case 'input_file':
      pushMedia(parts, budget, undefined, {
        url: field(block, 'file_url'),
        data: field(block, 'file_data'),
        fileId: field(block, 'file_id'),
      });
      break;
  }
}

/** A message's `content`: a string is one text part, an array its parts. */
function pushContent(parts: Parts, budget: ItemBudget, content: unknown): void {
  if (typeof content === 'string') pushText(parts, budget, 'text', content);
  else forEachBounded(content, budget, (block) => pushContentPart(parts, budget, block));
}

/** The parts of a chat message (request or response): content, refusal, reasoning, tool calls. */
function chatParts(chat: unknown, budget: ItemBudget): Parts {
  const parts: Parts = [];
  // Some OpenAI-compatible servers return the reasoning as `reasoning_content` (or `reasoning`).
  pushText(parts, budget, 'reasoning', field(chat, 'reasoning_content') ?? field(chat, 'reasoning'));
  if (field(chat, 'role') === 'tool') {
    pushToolResponse(parts, budget, field(chat, 'tool_call_id'), field(chat, 'content'));
    return parts;
  }
  pushContent(parts, budget, field(chat, 'content'));
  pushText(parts, budget, 'refusal', field(chat, 'refusal'));
  forEachBounded(field(chat, 'tool_calls'), budget, (call) => {
    const fn = field(call, 'function') ?? field(call, 'custom');
    pushToolCall(parts, budget, field(call, 'id'), field(fn, 'name'), field(fn, 'arguments') ?? field(fn, 'input'));
  });
  const legacy = field(chat, 'function_call');
  if (legacy !== undefined && legacy !== null)
    pushToolCall(parts, budget, undefined, field(legacy, 'name'), field(legacy, 'arguments'));
  return parts;
}

/** Chat Completions request: its `messages`. */
export function chatInput(body: unknown): GenAiInputMessage[] {
  const budget = new ItemBudget();
  const out: GenAiInputMessage[] = [];
  forEachBounded(field(body, 'messages'), budget, (chat) => {
    // A legacy `function` message carries a function's result.
    const role = field(chat, 'role');
    const parts = role === 'function' ? responseParts(field(chat, 'content'), budget) : chatParts(chat, budget);
    const kept = message(role, parts, budget, field(chat, 'name'));
    if (kept !== undefined) out.push(kept);
  });
  return out;
}

function responseParts(content: unknown, budget: ItemBudget): Parts {
  const parts: Parts = [];
  pushToolResponse(parts, budget, undefined, content);
  return parts;
}

/** Chat Completions response: one message per choice, with its finish reason. */
export function chatOutput(response: unknown): GenAiOutputMessage[] {
  const budget = new ItemBudget();
  const out: GenAiOutputMessage[] = [];
  forEachBounded(field(response, 'choices'), budget, (choice) => {
    const chat = field(choice, 'message');
    const kept = outputMessage(
      message(field(chat, 'role') ?? 'assistant', chatParts(chat, budget), budget),
      field(choice, 'finish_reason'),
    );
    if (kept !== undefined) out.push(kept);
  });
  return out;
}

/** Legacy Completions request: the `prompt` (a string or strings; token arrays are left out) as one user message. */
export function completionInput(body: unknown): GenAiInputMessage[] {
  const budget = new ItemBudget();
  const parts: Parts = [];
  const prompt = field(body, 'prompt');
  if (typeof prompt === 'string') pushText(parts, budget, 'text', prompt);
  else forEachBounded(prompt, budget, (item) => pushText(parts, budget, 'text', item));
  const kept = message('user', parts, budget);
  return kept === undefined ? [] : [kept];
}

/** Legacy Completions response: one assistant message per choice. */
export function completionOutput(response: unknown): GenAiOutputMessage[] {
  const budget = new ItemBudget();
  const out: GenAiOutputMessage[] = [];
  forEachBounded(field(response, 'choices'), budget, (choice) => {
    const parts: Parts = [];
    pushText(parts, budget, 'text', field(choice, 'text'));
    const kept = outputMessage(message('assistant', parts, budget), field(choice, 'finish_reason'));
    if (kept !== undefined) out.push(kept);
  });
  return out;
}

/** The reasoning summary and text of a Responses `reasoning` item. */
function pushReasoning(parts: Parts, budget: ItemBudget, item: unknown): void {
  forEachBounded(field(item, 'summary'), budget, (s) => pushText(parts, budget, 'reasoning', field(s, 'text')));
  forEachBounded(field(item, 'content'), budget, (c) => pushText(parts, budget, 'reasoning', field(c, 'text')));
}

/**
 * Responses API request: `instructions` as a system message first (the conventions'
 * `gen_ai.system_instructions`, which the event does not carry yet), then `input`: a string is one
 * user message; a list holds messages, function calls (assistant) and their outputs (tool).
 */
export function responsesInput(body: unknown): GenAiInputMessage[] {
  const budget = new ItemBudget();
  const out: GenAiInputMessage[] = [];
  const push = (role: string, parts: Parts): void => {
    const kept = message(role, parts, budget);
    if (kept !== undefined) out.push(kept);
  };
  const instructions = field(body, 'instructions');
  if (typeof instructions === 'string' && instructions.length > 0) {
    const parts: Parts = [];
    pushText(parts, budget, 'text', instructions);
    push('system', parts);
  }
  const input = field(body, 'input');
  if (typeof input === 'string') {
    const parts: Parts = [];
    pushText(parts, budget, 'text', input);
    push('user', parts);
    return out;
  }
  forEachBounded(input, budget, (item) => {
    const parts: Parts = [];
    const type = typeOf(item);
    if (type === 'function_call') {
      pushToolCall(parts, budget, field(item, 'call_id'), field(item, 'name'), field(item, 'arguments'));
      push('assistant', parts);
    } else if (type === 'function_call_output') {
      pushToolResponse(parts, budget, field(item, 'call_id'), field(item, 'output'));
      push('tool', parts);
    } else if (type === 'reasoning') {
      pushReasoning(parts, budget, item);
      push('assistant', parts);
    } else if (type === 'message' || type === undefined) {
      pushContent(parts, budget, field(item, 'content'));
      const role = field(item, 'role');
      if (typeof role === 'string') push(role, parts);
    }
  });
  return out;
}

/**
 * Responses API response: its `output` items as one assistant message (text, refusals, reasoning,
 * function calls), finished by the status: `stop` (or `tool_call` when it calls a function),
 * `length` or `content_filter` for an incomplete response, `error` for a failed one.
 */
export function responsesOutput(response: unknown): GenAiOutputMessage[] {
  const budget = new ItemBudget();
  const parts: Parts = [];
  let calls = false;
  forEachBounded(field(response, 'output'), budget, (item) => {
    const type = typeOf(item);
    if (type === 'message') pushContent(parts, budget, field(item, 'content'));
    else if (type === 'reasoning') pushReasoning(parts, budget, item);
    else if (type === 'function_call') {
      calls = true;
      pushToolCall(parts, budget, field(item, 'call_id'), field(item, 'name'), field(item, 'arguments'));
    }
  });
  const status = field(response, 'status');
  const reason =
    status === 'completed'
      ? calls
        ? 'tool_call'
        : 'stop'
      : status === 'incomplete'
        ? field(field(response, 'incomplete_details'), 'reason') === 'content_filter'
          ? 'content_filter'
          : 'length'
        : status === 'failed'
          ? 'error'
          : undefined;
  const kept = outputMessage(message('assistant', parts, budget), reason);
  return kept === undefined ? [] : [kept];
}
