import type { CallMeter } from '../shared/call-meter.js';
import { field, nonEmptyString, tokenCount } from '../shared/safe.js';

/**
 * Reads what an Ollama response (or the final `done` chunk of a stream) says about the call: the
 * model, `prompt_eval_count` as input tokens and `eval_count` as output tokens (in that order: the
 * prompt is evaluated, the output is generated), and from Ollama's own timing `eval_duration`
 * (nanoseconds spent generating the `eval_count` tokens) the mean time per output token.
 */
export function readOllamaCounters(response: unknown, meter: CallMeter): void {
  const model = nonEmptyString(field(response, 'model'));
  if (model !== undefined) meter.responseModel = model;
  meter.setUsage(field(response, 'prompt_eval_count'), field(response, 'eval_count'));
  const evalCount = tokenCount(field(response, 'eval_count'));
  const evalDuration = field(response, 'eval_duration');
  if (evalCount !== undefined && evalCount > 0 && typeof evalDuration === 'number' && evalDuration >= 0) {
    meter.timePerOutputTokenSeconds = evalDuration / 1e9 / evalCount;
  }
}

function nonEmpty(value: unknown): boolean {
  return (typeof value === 'string' || Array.isArray(value)) && value.length > 0;
}

/** Whether a `chat` chunk carries generated content: message text, thinking or tool calls. */
export function chatChunkHasContent(chunk: unknown): boolean {
  const message = field(chunk, 'message');
  return (
    nonEmpty(field(message, 'content')) ||
    nonEmpty(field(message, 'thinking')) ||
    nonEmpty(field(message, 'tool_calls'))
  );
}

/** Whether a `generate` chunk carries generated content: response text or thinking. */
export function generateChunkHasContent(chunk: unknown): boolean {
  return nonEmpty(field(chunk, 'response')) || nonEmpty(field(chunk, 'thinking'));
}
