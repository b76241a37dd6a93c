/**
 * The shape of a price table: per provider (the `gen_ai.provider.name` that bills the call) and
 * model, the US dollars per million tokens of each token type billed differently. The built-in
 * table and a user's override share this shape; a user's entries may leave out `source`.
 */

/** Where a price came from. Every built-in entry has one. */
export interface PriceSource {
  /** The provider's official pricing page (or the page the figure was read on). http(s) URL. */
  readonly url: string;
  /** The day the figure was read, `YYYY-MM-DD`. */
  readonly readOn: string;
  /** Where the figure was actually read when that is not `url` (a stored copy, a curated list). */
  readonly via?: string;
}

/** USD per million tokens of each token type. */
export interface TokenPrices {
  /** Prompt tokens neither read from nor written to a cache. */
  readonly input: number;
  /** Prompt tokens read from the provider's prompt cache. Absent: billed at `input`. */
  readonly cachedInput?: number;
  /** Prompt tokens written to the cache (Anthropic's 5-minute cache write). Absent: billed at `input`. */
  readonly cacheCreationInput?: number;
  /** Generated tokens, reasoning tokens included. */
  readonly output: number;
}

/**
 * Prices that replace the base ones for a call whose prompt is larger than `aboveInputTokens`
 * (long-context pricing, e.g. Gemini 2.5 Pro above 200k prompt tokens). A tier gives every price
 * its entry gives, so a tier never silently falls back to a cheaper base price.
 */
export interface PriceTier extends TokenPrices {
  /** The tier applies when the call's prompt tokens (cached ones included) exceed this. */
  readonly aboveInputTokens: number;
}

/** The prices of one model. */
export interface ModelPrice extends TokenPrices {
  /** Long-context tiers, by ascending `aboveInputTokens`. */
  readonly tiers?: readonly PriceTier[];
  /** Where the figures came from (required in the built-in table). */
  readonly source?: PriceSource;
}

/** A price table as data: `providers[provider][model]`. Model keys are lowercase, without a provider prefix. */
export interface PriceTableData {
  /** Format version; 1 when given. */
  readonly version?: 1;
  readonly providers: Readonly<Record<string, Readonly<Record<string, ModelPrice>>>>;
}
