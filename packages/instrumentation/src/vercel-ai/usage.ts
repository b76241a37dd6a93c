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
    positive(field(output, 'reasoningTokens')),
    positive(field(input, 'cacheReadTokens')),
  );
  meter.cacheCreationInputTokens = positive(field(input, 'cacheWriteTokens'));
}

/**
 * A detail count above zero, else undefined: some providers report a detail the response did not
 * have as 0, which would leave an empty detail series.
 */
function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Embedding usage: `{ tokens }`, the input tokens of one `doEmbed` call (NaN when unknown). */
export function readEmbeddingUsage(meter: CallMeter, usage: unknown): void {
  meter.setUsage(field(usage, 'tokens'), undefined);
}
