import type { TokenUsage } from './cost.js';

/**
 * The {@link TokenUsage} of a provider's usage object as it comes over the wire, with the provider's
 * counting convention filled in, so callers cannot get it wrong. Undefined when the object lacks
 * the input or output count; the counts are passed on as they are (computeCost validates them).
 */

type Fields = Record<string, unknown>;

function fields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** `details[key]` when both exist and the value is a number. */
function detail(object: Fields, details: string, key: string): number | undefined {
  const inner = fields(object[details]);
  return inner === undefined ? undefined : count(inner[key]);
}

type OptionalCount = 'cachedInput' | 'cacheCreationInput' | 'reasoningOutput';

/** `base` with the optional counts that are present. */
function withOptional(base: TokenUsage, optional: Partial<Record<OptionalCount, number | undefined>>): TokenUsage {
  const result: { -readonly [K in keyof TokenUsage]: TokenUsage[K] } = { ...base };
  for (const key of ['cachedInput', 'cacheCreationInput', 'reasoningOutput'] as const) {
    const value = optional[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

/**
 * OpenAI and Azure OpenAI `usage`: Chat Completions (`prompt_tokens`, `completion_tokens`,
 * `prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`), Responses
 * (`input_tokens`, `output_tokens`, `input_tokens_details`, `output_tokens_details`) and Embeddings
 * (`prompt_tokens` only: output 0). Input includes the cached tokens and output the reasoning ones.
 */
export function usageFromOpenAI(usage: unknown): TokenUsage | undefined {
  const u = fields(usage);
  if (u === undefined) return undefined;
  const responses = u.input_tokens !== undefined;
  const input = count(responses ? u.input_tokens : u.prompt_tokens);
  const rawOutput = responses ? u.output_tokens : u.completion_tokens;
  // Embeddings report no completion tokens at all.
  const output = rawOutput === undefined && !responses ? 0 : count(rawOutput);
  if (input === undefined || output === undefined) return undefined;
  return withOptional(
    { inputKind: 'total', input, outputKind: 'total', output },
    {
      cachedInput: detail(u, responses ? 'input_tokens_details' : 'prompt_tokens_details', 'cached_tokens'),
      reasoningOutput: detail(u, responses ? 'output_tokens_details' : 'completion_tokens_details', 'reasoning_tokens'),
    },
  );
}

/**
 * Anthropic Messages `usage`: `input_tokens` excludes `cache_read_input_tokens` and
 * `cache_creation_input_tokens`; `output_tokens` includes thinking.
 */
export function usageFromAnthropic(usage: unknown): TokenUsage | undefined {
  const u = fields(usage);
  if (u === undefined) return undefined;
  const input = count(u.input_tokens);
  const output = count(u.output_tokens);
  if (input === undefined || output === undefined) return undefined;
  return withOptional(
    { inputKind: 'uncached', input, outputKind: 'total', output },
    { cachedInput: count(u.cache_read_input_tokens), cacheCreationInput: count(u.cache_creation_input_tokens) },
  );
}

/**
 * Gemini `usageMetadata`: `promptTokenCount` includes `cachedContentTokenCount`;
 * `thoughtsTokenCount` is not part of `candidatesTokenCount` (absent candidates: 0).
 */
export function usageFromGemini(usageMetadata: unknown): TokenUsage | undefined {
  const u = fields(usageMetadata);
  if (u === undefined) return undefined;
  const input = count(u.promptTokenCount);
  const output = u.candidatesTokenCount === undefined ? 0 : count(u.candidatesTokenCount);
  if (input === undefined || output === undefined) return undefined;
  return withOptional(
    { inputKind: 'total', input, outputKind: 'visible', output },
    { cachedInput: count(u.cachedContentTokenCount), reasoningOutput: count(u.thoughtsTokenCount) },
  );
}
