import type { CallMeter } from '../shared/call-meter.js';
import { type ContentKind, nonEmpty } from '../shared/content-kind.js';
import { field, nonEmptyString } from '../shared/safe.js';

/**
 * Reads what an Ollama response (or the final `done` chunk of a stream) says about the call: the
 * model, `prompt_eval_count` as input tokens and `eval_count` as output tokens (in that order: the
 * prompt is evaluated, the output is generated). Ollama's own `eval_duration` is not used: the time
 * per output token of streams has one definition for every client (shared/time-per-token.ts).
 */
export function readOllamaCounters(response: unknown, meter: CallMeter): void {
  const model = nonEmptyString(field(response, 'model'));
  if (model !== undefined) meter.responseModel = model;
  meter.setUsage(field(response, 'prompt_eval_count'), field(response, 'eval_count'));
  // Why generation stopped (`stop`, `length`), for the call's span and event only; Ollama has no response id.
  if (meter.wantsDetails) {
    const reason = nonEmptyString(field(response, 'done_reason'));
    if (reason !== undefined) meter.finishReasons = [reason];
  }
}

/** `chat` chunk: message text or tool calls are content; `thinking` alone is reasoning. */
export function chatChunkContent(chunk: unknown): ContentKind {
  const message = field(chunk, 'message');
  if (nonEmpty(field(message, 'content')) || nonEmpty(field(message, 'tool_calls'))) return 'content';
  return nonEmpty(field(message, 'thinking')) ? 'reasoning' : undefined;
}

/** `generate` chunk: response text is content; `thinking` alone is reasoning. */
export function generateChunkContent(chunk: unknown): ContentKind {
  if (nonEmpty(field(chunk, 'response'))) return 'content';
  return nonEmpty(field(chunk, 'thinking')) ? 'reasoning' : undefined;
}
