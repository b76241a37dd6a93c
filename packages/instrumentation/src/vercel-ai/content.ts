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
 * The AI SDK's model calls as GenAI messages (the opt-in content of the call's event), from its
 * telemetry integration's events: `onLanguageModelCallStart` carries the standardized prompt
 * (`instructions` and `messages`, the SDK's `ModelMessage`s), `onLanguageModelCallEnd` the content
 * parts the model produced and the unified finish reason. Used only while content capture is on;
 * an app that sets the SDK's `telemetry.recordInputs` / `recordOutputs` to false is obeyed.
 */

/** The SDK's unified finish reasons (`tool-calls`, `content-filter`, ...) in the conventions' spelling. */
const FINISH_REASONS: Readonly<Record<string, string>> = {
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
};

/** A tool result's `output` (`{ type: 'text' | 'json' | 'error-text' | ..., value }`): its value. */
function toolOutput(output: unknown): unknown {
  const value = field(output, 'value');
  return value === undefined ? output : value;
}

/** One part of a `ModelMessage`'s content, or of a model call's output content. */
function pushPart(parts: Parts, budget: ItemBudget, part: unknown): void {
  switch (typeOf(part)) {
    case 'text':
      pushText(parts, budget, 'text', field(part, 'text'));
      break;
    case 'reasoning':
      pushText(parts, budget, 'reasoning', field(part, 'text'));
      break;
    case 'tool-call':
      pushToolCall(parts, budget, field(part, 'toolCallId'), field(part, 'toolName'), field(part, 'input'));
      break;
    case 'tool-result':
      // A prompt's result has `output`, a step's (client-side execution) has its `output` value.
      pushToolResponse(parts, budget, field(part, 'toolCallId'), toolOutput(field(part, 'output')));
      break;
    case 'image':
    case 'file': {
      // A URL (or its string) is a uri; a base64 string is inline data; bytes are left out.
      const data = field(part, 'image') ?? field(part, 'data');
      const url = data instanceof URL ? data.href : typeof data === 'string' && isUrl(data) ? data : undefined;
      pushMedia(parts, budget, typeOf(part) === 'image' ? 'image' : undefined, {
        url,
        data: url === undefined ? data : undefined,
        mimeType: field(part, 'mediaType') ?? field(part, 'mimeType'),
      });
      break;
    }
  }
}

/** Whether a string is a URL rather than base64 data (a scheme prefix; base64 has no colon). */
function isUrl(text: string): boolean {
  return text.startsWith('http:') || text.startsWith('https:') || text.startsWith('data:');
}

/** The parts of a message's `content`: a string is one text part, a list its parts. */
function partsOf(content: unknown, budget: ItemBudget): Parts {
  const parts: Parts = [];
  if (typeof content === 'string') pushText(parts, budget, 'text', content);
  else forEachBounded(content, budget, (part) => pushPart(parts, budget, part));
  return parts;
}

function pushMessage(out: GenAiInputMessage[], m: unknown, budget: ItemBudget): void {
  const kept = message(field(m, 'role'), partsOf(field(m, 'content'), budget), budget);
  if (kept !== undefined) out.push(kept);
}

/** A call start event's prompt: `instructions` (a string, a system message or a list of them), then `messages`. */
export function vercelInput(event: unknown): GenAiInputMessage[] | undefined {
  if (field(event, 'recordInputs') === false) return undefined;
  const budget = new ItemBudget();
  const out: GenAiInputMessage[] = [];
  const instructions = field(event, 'instructions');
  if (typeof instructions === 'string') {
    const kept = message('system', partsOf(instructions, budget), budget);
    if (kept !== undefined) out.push(kept);
  } else if (Array.isArray(instructions)) forEachBounded(instructions, budget, (m) => pushMessage(out, m, budget));
  else if (instructions !== undefined && instructions !== null) pushMessage(out, instructions, budget);
  forEachBounded(field(event, 'messages'), budget, (m) => pushMessage(out, m, budget));
  return out;
}

/** A call end event's output: one assistant message with its content parts and finish reason. */
export function vercelOutput(event: unknown): GenAiOutputMessage[] | undefined {
  if (field(event, 'recordOutputs') === false) return undefined;
  const budget = new ItemBudget();
  const reason = field(event, 'finishReason');
  const kept = outputMessage(
    message('assistant', partsOf(field(event, 'content'), budget), budget),
    typeof reason === 'string' && Object.hasOwn(FINISH_REASONS, reason) ? FINISH_REASONS[reason] : reason,
  );
  return kept === undefined ? [] : [kept];
}
