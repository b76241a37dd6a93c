import { usageFromOpenAI } from '@llm-otel/core';
import type { CallMeter } from '../shared/call-meter.js';
import { field } from '../shared/safe.js';

/**
 * Reads an OpenAI `usage` object (Chat Completions, legacy Completions, Responses) into the meter
 * with core's `usageFromOpenAI()`, the one reader of OpenAI's wire names and counting: input
 * includes the cached tokens (`prompt_tokens_details.cached_tokens`, Responses
 * `input_tokens_details.cached_tokens`) and output the reasoning tokens
 * (`completion_tokens_details.reasoning_tokens`, `output_tokens_details.reasoning_tokens`). A usage
 * that lacks one of the two counts keeps the other one, without details. Runs once per call.
 */
export function readOpenAIUsage(usage: unknown, meter: CallMeter): void {
  if (typeof usage !== 'object' || usage === null) return;
  const read = usageFromOpenAI(usage);
  if (read !== undefined) {
    meter.setUsage(read.input, read.output, read.reasoningOutput, read.cachedInput);
    return;
  }
  const responses = field(usage, 'input_tokens') !== undefined;
  meter.setUsage(
    field(usage, responses ? 'input_tokens' : 'prompt_tokens'),
    field(usage, responses ? 'output_tokens' : 'completion_tokens'),
  );
}
