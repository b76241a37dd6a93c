import type { ModelPrice, PriceTier, TokenPrices } from './price-types.js';

/**
 * The token counts of one call, as the provider reports them. Providers count differently, and the
 * two `...Kind` fields say how, so that every token is billed exactly once:
 *
 * | provider                | `inputKind` | `outputKind` |
 * | ----------------------- | ----------- | ------------ |
 * | OpenAI, Azure OpenAI    | `total`: `prompt_tokens` / `input_tokens` include `cached_tokens` | `total`: `completion_tokens` include `reasoning_tokens` |
 * | Anthropic               | `uncached`: `input_tokens` exclude `cache_read_input_tokens` and `cache_creation_input_tokens` | `total` (thinking is part of `output_tokens`) |
 * | Gemini                  | `total`: `promptTokenCount` includes `cachedContentTokenCount` | `visible`: `thoughtsTokenCount` is not in `candidatesTokenCount` |
 */
export interface TokenUsage {
  /** `total`: `input` counts every prompt token, cached and cache-written ones included. `uncached`: only the others. */
  readonly inputKind: 'total' | 'uncached';
  readonly input: number;
  /** Prompt tokens read from the prompt cache. */
  readonly cachedInput?: number;
  /** Prompt tokens written to the prompt cache (Anthropic). */
  readonly cacheCreationInput?: number;
  /** `total`: `output` includes the reasoning tokens. `visible`: reasoning is counted only in `reasoningOutput`. */
  readonly outputKind: 'total' | 'visible';
  readonly output: number;
  /** Reasoning ("thinking") tokens; billed at the output price. */
  readonly reasoningOutput?: number;
}

/**
 * US dollars of one call per token type. The types partition the call (each token is in exactly
 * one), so `total` is their sum and a sum over types never double-counts: `input` is the uncached
 * prompt, `output` the non-reasoning output.
 */
export interface CostBreakdown {
  readonly input: number;
  readonly cachedInput: number;
  readonly cacheCreationInput: number;
  readonly output: number;
  readonly reasoningOutput: number;
  readonly total: number;
}

/** The cost of a call, or why the usage could not be priced (to count in `llm_otel_invalid_input_total`). */
export type CostResult =
  | {
      ok: true;
      cost: CostBreakdown;
      /** Prompt tokens of the call (what selects a long-context tier). */
      promptTokens: number;
      /** `aboveInputTokens` of the tier applied, when one was. */
      tierAboveInputTokens?: number;
    }
  | { ok: false; reason: 'invalid_token_count'; detail: string };

const TOKENS_PER_MILLION = 1_000_000;
const NO_TIERS: readonly PriceTier[] = [];

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * USD of `tokens` at `pricePerMillion`. The product of an integer token count and a price with a
 * few decimals is exact to ~1e-16 relative; one division follows. A call's cost is therefore within
 * a few ulps of the exact figure, and a counter summing 10^9 calls stays within ~1e-7 relative of
 * the exact sum: far below a cent on any real bill.
 */
function usd(tokens: number, pricePerMillion: number): number {
  return tokens === 0 ? 0 : (tokens * pricePerMillion) / TOKENS_PER_MILLION;
}

function fail(detail: string): CostResult {
  return { ok: false, reason: 'invalid_token_count', detail };
}

/**
 * The cost of one call. Cached tokens are billed at `cachedInput` and cache writes at
 * `cacheCreationInput` (at `input` when the entry has no such price), the rest of the prompt at
 * `input`, output and reasoning tokens at `output`. A long-context tier applies when the prompt
 * (cached tokens included) exceeds its `aboveInputTokens`.
 *
 * Never throws: invalid counts (negative, fractional, cached tokens above a `total` input, ...)
 * give `{ ok: false }`.
 */
export function computeCost(price: ModelPrice, usage: TokenUsage): CostResult {
  const cached = usage.cachedInput ?? 0;
  const creation = usage.cacheCreationInput ?? 0;
  const reasoning = usage.reasoningOutput ?? 0;
  if (!isCount(usage.input)) return fail('input');
  if (!isCount(cached)) return fail('cachedInput');
  if (!isCount(creation)) return fail('cacheCreationInput');
  if (!isCount(usage.output)) return fail('output');
  if (!isCount(reasoning)) return fail('reasoningOutput');

  let uncachedInput: number;
  let promptTokens: number;
  if (usage.inputKind === 'total') {
    uncachedInput = usage.input - cached - creation;
    if (uncachedInput < 0) return fail('cachedInput + cacheCreationInput exceed a total input');
    promptTokens = usage.input;
  } else if (usage.inputKind === 'uncached') {
    uncachedInput = usage.input;
    promptTokens = usage.input + cached + creation;
  } else {
    return fail('inputKind');
  }

  let visibleOutput: number;
  if (usage.outputKind === 'total') {
    visibleOutput = usage.output - reasoning;
    if (visibleOutput < 0) return fail('reasoningOutput exceeds a total output');
  } else if (usage.outputKind === 'visible') {
    visibleOutput = usage.output;
  } else {
    return fail('outputKind');
  }

  let prices: TokenPrices = price;
  let tierAboveInputTokens: number | undefined;
  for (const tier of price.tiers ?? NO_TIERS) {
    if (promptTokens > tier.aboveInputTokens) {
      prices = tier;
      tierAboveInputTokens = tier.aboveInputTokens;
    }
  }

  const input = usd(uncachedInput, prices.input);
  const cachedInput = usd(cached, prices.cachedInput ?? prices.input);
  const cacheCreationInput = usd(creation, prices.cacheCreationInput ?? prices.input);
  const output = usd(visibleOutput, prices.output);
  const reasoningOutput = usd(reasoning, prices.output);
  const cost: CostBreakdown = {
    input,
    cachedInput,
    cacheCreationInput,
    output,
    reasoningOutput,
    total: input + cachedInput + cacheCreationInput + output + reasoningOutput,
  };
  return tierAboveInputTokens === undefined
    ? { ok: true, cost, promptTokens }
    : { ok: true, cost, promptTokens, tierAboveInputTokens };
}
