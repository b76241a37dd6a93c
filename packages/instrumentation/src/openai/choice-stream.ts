import type { CallMeter } from '../shared/call-meter.js';
import { field, nonEmptyString } from '../shared/safe.js';
import type { ChunkReader } from './stream.js';

/** Whether one streamed choice carries generated content (text, a refusal, tool calls, audio...). */
export type ChoiceHasContent = (choice: unknown) => boolean;

function nonEmpty(value: unknown): boolean {
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return typeof value === 'object' && value !== null;
}

/** Chat: a delta with content, refusal, reasoning, tool or function calls, or audio. */
export const chatChoiceHasContent: ChoiceHasContent = (choice) => {
  const delta = field(choice, 'delta');
  return (
    nonEmpty(field(delta, 'content')) ||
    nonEmpty(field(delta, 'refusal')) ||
    nonEmpty(field(delta, 'reasoning_content')) ||
    nonEmpty(field(delta, 'reasoning')) ||
    nonEmpty(field(delta, 'tool_calls')) ||
    nonEmpty(field(delta, 'function_call')) ||
    nonEmpty(field(delta, 'audio'))
  );
};

/** Legacy completions: a choice with text. */
export const completionChoiceHasContent: ChoiceHasContent = (choice) => nonEmpty(field(choice, 'text'));

/**
 * Reads the chunks of a streamed chat or legacy completion: response model, first content chunk,
 * finish reasons (the stream counts as complete once every choice seen has finished) and usage
 * (`prompt_tokens` input, `completion_tokens` output). When the usage was asked for by us
 * (`hideUsage`), the usage-only chunk is withheld and the `usage: null` field that the option adds
 * to every other chunk is removed, so the app sees what it would have seen without us.
 */
export function choiceStreamReader(meter: CallMeter, hasContent: ChoiceHasContent, hideUsage: boolean): ChunkReader {
  const open = new Set<unknown>();
  let finishedAny = false;
  return (chunk) => {
    const model = nonEmptyString(field(chunk, 'model'));
    if (model !== undefined) meter.responseModel = model;
    const choices = field(chunk, 'choices');
    if (Array.isArray(choices)) {
      for (const choice of choices) {
        if (hasContent(choice)) meter.markFirstToken();
        const index = field(choice, 'index') ?? 0;
        if (field(choice, 'finish_reason') != null) {
          open.delete(index);
          finishedAny = true;
        } else {
          open.add(index);
        }
      }
      if (finishedAny && open.size === 0) meter.completed = true;
    }
    const usage = field(chunk, 'usage');
    if (typeof usage === 'object' && usage !== null) {
      meter.setUsage(field(usage, 'prompt_tokens'), field(usage, 'completion_tokens'));
    }
    if (hideUsage) {
      if (usage === null) delete (chunk as Record<string, unknown>).usage;
      else if (typeof usage === 'object' && Array.isArray(choices) && choices.length === 0) return false;
    }
    return true;
  };
}
