import { inferenceTokenFields } from '@llm-otel/core';
import type { CallMeter } from '../shared/call-meter.js';
import { field, tokenCount } from '../shared/safe.js';

/**
 * Reads a Converse `usage` (also the `metadata` event's) into the meter: `inputTokens` leave out
 * `cacheReadInputTokens` and `cacheWriteInputTokens`, which core adds to the input total (as the
 * GenAI conventions count) and keeps as token types of their own (for cost), as for Anthropic's
 * API; `outputTokens` include any reasoning. A usage without both counts records no tokens.
 */
export function readConverseUsage(usage: unknown, meter: CallMeter): void {
  const input = tokenCount(field(usage, 'inputTokens'));
  const output = tokenCount(field(usage, 'outputTokens'));
  if (input === undefined || output === undefined) return;
  const cacheRead = tokenCount(field(usage, 'cacheReadInputTokens'));
  const cacheWrite = tokenCount(field(usage, 'cacheWriteInputTokens'));
  meter.setTokenFields(
    inferenceTokenFields({
      inputKind: 'uncached',
      input,
      outputKind: 'total',
      output,
      ...(cacheRead === undefined ? {} : { cachedInput: cacheRead }),
      ...(cacheWrite === undefined ? {} : { cacheCreationInput: cacheWrite }),
    }),
  );
}
