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
 * Anthropic Messages requests and responses as GenAI messages (the opt-in content of the call's
 * event): the `system` prompt and `messages` of the request, the `content` blocks of the message
 * returned. Used only while content capture is on.
 */

/** An image or document block's `source`: base64 data, a URL or an uploaded file. */
function pushSource(parts: Parts, budget: ItemBudget, modality: string | undefined, source: unknown): void {
  const kind = typeOf(source);
  if (kind === 'text') pushText(parts, budget, 'text', field(source, 'data'));
  else
    pushMedia(parts, budget, modality, {
      url: kind === 'url' ? field(source, 'url') : undefined,
      data: kind === 'base64' ? field(source, 'data') : undefined,
      fileId: kind === 'file' ? field(source, 'file_id') : undefined,
      mimeType: field(source, 'media_type'),
    });
}

/** One content block: text, thinking, images and documents, tool use and tool results. */
function pushBlock(parts: Parts, budget: ItemBudget, block: unknown): void {
  switch (typeOf(block)) {
    case 'text':
      pushText(parts, budget, 'text', field(block, 'text'));
      break;
    case 'thinking':
      pushText(parts, budget, 'reasoning', field(block, 'thinking'));
      break;
    case 'image':
      pushSource(parts, budget, 'image', field(block, 'source'));
      break;
    case 'document':
      pushSource(parts, budget, undefined, field(block, 'source'));
      break;
    case 'tool_use':
      pushToolCall(parts, budget, field(block, 'id'), field(block, 'name'), field(block, 'input'));
      break;
    case 'tool_result': {
      // A result is a string or a list of blocks (text, images): kept as converted parts.
      const content = field(block, 'content');
      const response = typeof content === 'string' ? content : blocksOf(content, budget);
      pushToolResponse(parts, budget, field(block, 'tool_use_id'), response);
      break;
    }
  }
}

/** The parts of `content`: a string is one text part, a list its blocks. */
function blocksOf(content: unknown, budget: ItemBudget): Parts {
  const parts: Parts = [];
  if (typeof content === 'string') pushText(parts, budget, 'text', content);
  else forEachBounded(content, budget, (block) => pushBlock(parts, budget, block));
  return parts;
}

/**
 * The request: `system` as a system message first (the conventions'
 * `gen_ai.system_instructions`, which the event does not carry yet), then each of `messages`.
 */
export function anthropicInput(body: unknown): GenAiInputMessage[] {
  const budget = new ItemBudget();
  const out: GenAiInputMessage[] = [];
  const system = field(body, 'system');
  if (system !== undefined && system !== null) {
    const kept = message('system', blocksOf(system, budget), budget);
    if (kept !== undefined) out.push(kept);
  }
  forEachBounded(field(body, 'messages'), budget, (m) => {
    const kept = message(field(m, 'role'), blocksOf(field(m, 'content'), budget), budget);
    if (kept !== undefined) out.push(kept);
  });
  return out;
}

/** The message returned: one assistant message with its blocks and its stop reason. */
export function anthropicOutput(response: unknown): GenAiOutputMessage[] {
  const budget = new ItemBudget();
  const kept = outputMessage(
    message(field(response, 'role') ?? 'assistant', blocksOf(field(response, 'content'), budget), budget),
    field(response, 'stop_reason'),
  );
  return kept === undefined ? [] : [kept];
}
