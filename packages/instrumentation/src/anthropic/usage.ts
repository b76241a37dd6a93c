import { inferenceTokenFields, usageFromAnthropic } from '@llm-otel/core';
import type { CallMeter } from '../shared/call-meter.js';
import { field } from '../shared/safe.js';

/**
 * Reads an Anthropic `usage` object into the meter with core's `usageFromAnthropic()` and
 * `inferenceTokenFields()`, the one reader of Anthropic's wire names and counting: `input_tokens`
 * leave out `cache_read_input_tokens` and `cache_creation_input_tokens`, which core adds to the
 * input total (as the GenAI conventions count) and keeps as token types of their own (for cost);
 * `output_tokens` include thinking. A usage without both counts keeps its output count only (an
 * input count without the cache parts would be short): nothing is guessed.
 */
export function readAnthropicUsage(usage: unknown, meter: CallMeter): void {
  if (typeof usage !== 'object' || usage === null) return;
  const read = usageFromAnthropic(usage);
  if (read !== undefined) meter.setTokenFields(inferenceTokenFields(read));
  else meter.setUsage(undefined, field(usage, 'output_tokens'));
}

const USAGE_FIELDS = [
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
] as const;

/**
 * The usage of a stream: `message_start` carries the input side (and the output so far),
 * `message_delta` the cumulative `output_tokens` (and, from some API versions, the input side again):
 * each count is the latest one sent, never a sum.
 */
export function streamUsage(start: unknown, delta: unknown): Record<string, unknown> | undefined {
  if (typeof start !== 'object' && typeof delta !== 'object') return undefined;
  const merged: Record<string, unknown> = {};
  for (const name of USAGE_FIELDS) {
    const later = field(delta, name);
    merged[name] = later ?? field(start, name);
  }
  return merged;
}
