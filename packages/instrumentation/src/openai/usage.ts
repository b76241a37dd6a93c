import { usageFromOpenAI } from '@llm-otel/core';
import type { CallMeter } from '../shared/call-meter.js';
import { field } from '../shared/safe.js';

/**
 * Reads an OpenAI `usage` object (Chat Completions, legacy Completions, Responses) into the meter
 * with core's `usageFromOpenAI()`, the one reader of OpenAI's wire names and counting: input
 * includes the cached tokens (`prompt_tokens_details.cached_tokens`, Responses
 * `input_tokens_details.cached_tokens`) and output the reasoning tokens
 * (`completion_tokens_details.reasoning_tokens`, `output_tokens_details.reasoning_tokens`). A usage
 * that lacks one of the two counts keeps the other one, without details. Runs once per call
 * (embeddings read their `prompt_tokens` only, in embeddings.ts).
 */
export function readOpenAIUsage(usage: unknown, meter: CallMeter): void {
  if (typeof usage !== 'object' || usage === null) return;
  // usageFromOpenAI reads a usage without output count as an embedding's (output 0): a generation
  // that reports none records no output tokens instead (nothing is guessed).
  const reportsOutput = field(usage, 'completion_tokens') != null || field(usage, 'output_tokens') != null;
  const read = reportsOutput ? usageFromOpenAI(usage) : undefined;
  if (read !== undefined) {
    meter.setUsage(read.input, read.output, read.reasoningOutput, read.cachedInput);
    return;
  }
  // Either API's names (some gateways send both, or one of them as null).
  meter.setUsage(
    field(usage, 'prompt_tokens') ?? field(usage, 'input_tokens'),
    field(usage, 'completion_tokens') ?? field(usage, 'output_tokens'),
  );
}
