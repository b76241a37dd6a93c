import type { CallMeter } from '../shared/call-meter.js';
import { field } from '../shared/safe.js';

/**
 * Takes the AI SDK's normalised usage into the meter. `LanguageModelUsage.inputTokens` is the
 * total prompt (cache reads and writes included, whatever the provider), i.e. core's default
 * convention; the cache parts and the reasoning share are kept as details for cost.
 */
export function readLanguageModelUsage(meter: CallMeter, usage: unknown): void {
  const input = field(usage, 'inputTokenDetails');
  const output = field(usage, 'outputTokenDetails');
  meter.setUsage(
    field(usage, 'inputTokens'),
    field(usage, 'outputTokens'),
    field(output, 'reasoningTokens'),
    field(input, 'cacheReadTokens'),
  );
  const written = field(input, 'cacheWriteTokens');
  if (typeof written === 'number' && Number.isInteger(written) && written > 0) meter.cacheCreationInputTokens = written;
}

/** Embedding usage: `{ tokens }`, the input tokens of one `doEmbed` call (NaN when unknown). */
export function readEmbeddingUsage(meter: CallMeter, usage: unknown): void {
  meter.setUsage(field(usage, 'tokens'), undefined);
}
