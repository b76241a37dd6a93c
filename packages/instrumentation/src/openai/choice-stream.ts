import type { CallMeter } from '../shared/call-meter.js';
import { type ContentKind, nonEmpty } from '../shared/content-kind.js';
import { field, nonEmptyString } from '../shared/safe.js';
import type { ChunkReader } from './stream.js';

/** Tells the {@link ContentKind} of one streamed choice. */
export type ChoiceContent = (choice: unknown) => ContentKind;

/** Chat: a delta with content, a refusal, tool or function calls, or audio; or with reasoning only. */
export const chatChoiceContent: ChoiceContent = (choice) => {
  const delta = field(choice, 'delta');
  if (
    nonEmpty(field(delta, 'content')) ||
    nonEmpty(field(delta, 'refusal')) ||
    nonEmpty(field(delta, 'tool_calls')) ||
    nonEmpty(field(delta, 'function_call')) ||
    nonEmpty(field(delta, 'audio'))
  )
    return 'content';
  return nonEmpty(field(delta, 'reasoning_content')) || nonEmpty(field(delta, 'reasoning')) ? 'reasoning' : undefined;
};

/** Legacy completions: a choice with text. */
export const completionChoiceContent: ChoiceContent = (choice) =>
  nonEmpty(field(choice, 'text')) ? 'content' : undefined;

/**
 * Reads the chunks of a streamed chat or legacy completion: response model, first content chunk,
 * finish reasons (the stream counts as complete once every choice seen has finished) and usage
 * (`prompt_tokens` input, `completion_tokens` output). When the usage was asked for by us
 * (`hideUsage`), the usage-only chunk is withheld and the `usage: null` field that the option adds
 * to every other chunk is removed, so the app sees what it would have seen without us.
 */
export function choiceStreamReader(meter: CallMeter, hasContent: ChoiceContent, hideUsage: boolean): ChunkReader {
  const open = new Set<unknown>();
  let finishedAny = false;
  return (chunk) => {
    const model = nonEmptyString(field(chunk, 'model'));
    if (model !== undefined) meter.responseModel = model;
    const choices = field(chunk, 'choices');
    if (Array.isArray(choices)) {
      for (const choice of choices) {
        const kind = hasContent(choice);
        if (kind !== undefined) meter.markFirstToken(kind === 'reasoning');
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
      meter.setUsage(
        field(usage, 'prompt_tokens'),
        field(usage, 'completion_tokens'),
        field(field(usage, 'completion_tokens_details'), 'reasoning_tokens'),
      );
    }
    if (hideUsage) {
      if (usage === null) delete (chunk as Record<string, unknown>).usage;
      else if (typeof usage === 'object' && Array.isArray(choices) && choices.length === 0) return false;
    }
    return true;
  };
}
