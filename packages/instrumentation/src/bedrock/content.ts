import type { GenAiInputMessage, GenAiOutputMessage } from '@llm-otel/core';
import { anthropicInput, anthropicOutput } from '../anthropic/content.js';
import {
  forEachBounded,
  ItemBudget,
  message,
  outputMessage,
  type Parts,
  pushText,
  pushToolCall,
  pushToolResponse,
} from '../shared/messages.js';
import { field } from '../shared/safe.js';
import { isAnthropicInvoke, parseJsonBytes } from './invoke-body.js';

/**
 * Bedrock Runtime requests and responses as GenAI messages (the opt-in content of the call's event):
 * Converse's `system` and `messages` and its output `message`; an Anthropic InvokeModel body, read
 * like the Anthropic client's. Used only while content capture is on.
 *
 * Converse's content blocks are objects with one key (`{ text }`, `{ toolUse }`, `{ toolResult }`,
 * `{ reasoningContent }`, ...). Images, documents and videos carry raw bytes (`Uint8Array`), not a
 * string: they are left out, like `cachePoint` and guard-content blocks.
 */

/** One Converse content block. */
function pushBlock(parts: Parts, budget: ItemBudget, block: unknown): void {
  const text = field(block, 'text');
  if (text !== undefined) {
    pushText(parts, budget, 'text', text);
    return;
  }
  const toolUse = field(block, 'toolUse');
  if (toolUse !== undefined) {
    pushToolCall(parts, budget, field(toolUse, 'toolUseId'), field(toolUse, 'name'), field(toolUse, 'input'));
    return;
  }
  const toolResult = field(block, 'toolResult');
  if (toolResult !== undefined) {
    // A result's content is a list of `{ text }` / `{ json }` blocks: kept as text parts and JSON values.
    const response: unknown[] = [];
    forEachBounded(field(toolResult, 'content'), budget, (item) => {
      const value = field(item, 'text') ?? field(item, 'json');
      if (value !== undefined && value !== null) response.push(value);
    });
    pushToolResponse(parts, budget, field(toolResult, 'toolUseId'), response.length === 1 ? response[0] : response);
    return;
  }
  const reasoning = field(block, 'reasoningContent');
  if (reasoning !== undefined) pushText(parts, budget, 'reasoning', field(field(reasoning, 'reasoningText'), 'text'));
}

/** The parts of a list of Converse content blocks. */
function blocksOf(content: unknown, budget: ItemBudget): Parts {
  const parts: Parts = [];
  forEachBounded(content, budget, (block) => pushBlock(parts, budget, block));
  return parts;
}

/** Converse's request: `system` (a list of blocks) as a system message first, then each of `messages`. */
export function converseInput(input: unknown): GenAiInputMessage[] {
  const budget = new ItemBudget();
  const out: GenAiInputMessage[] = [];
  const system = field(input, 'system');
  if (Array.isArray(system)) {
    const parts = blocksOf(system, budget);
    const kept = parts.length > 0 ? message('system', parts, budget) : undefined;
    if (kept !== undefined) out.push(kept);
  }
  forEachBounded(field(input, 'messages'), budget, (m) => {
    const kept = message(field(m, 'role'), blocksOf(field(m, 'content'), budget), budget);
    if (kept !== undefined) out.push(kept);
  });
  return out;
}

/** Converse's output: its `message` with the stop reason. */
export function converseOutput(output: unknown): GenAiOutputMessage[] {
  const budget = new ItemBudget();
  const returned = field(field(output, 'output'), 'message');
  if (returned === undefined) return [];
  const kept = outputMessage(
    message(field(returned, 'role') ?? 'assistant', blocksOf(field(returned, 'content'), budget), budget),
    field(output, 'stopReason'),
  );
  return kept === undefined ? [] : [kept];
}

/** The JSON of an InvokeModel request body: a string or bytes (the SDK takes both). */
function requestBody(input: unknown): unknown {
  const body = field(input, 'body');
  if (typeof body !== 'string') return parseJsonBytes(body);
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** An InvokeModel request: an Anthropic body's messages; another family's body is not read. */
export function invokeModelInput(input: unknown): GenAiInputMessage[] | undefined {
  if (!isAnthropicInvoke(input)) return undefined;
  const body = requestBody(input);
  return body === undefined ? undefined : anthropicInput(body);
}

/** An InvokeModel response: an Anthropic body's message (`input` says the family). */
export function invokeModelOutput(output: unknown, input: unknown): GenAiOutputMessage[] | undefined {
  if (!isAnthropicInvoke(input)) return undefined;
  const body = parseJsonBytes(field(output, 'body'));
  return body === undefined ? undefined : anthropicOutput(body);
}
