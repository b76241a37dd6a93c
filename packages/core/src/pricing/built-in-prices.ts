import type { PriceTableData } from './price-types.js';

/*
 * The built-in price table: pure data, no logic. USD per million tokens, standard (non-batch,
 * non-priority) API prices of each provider's own API.
 *
 * Rules for editing:
 * - never estimate a price: a model whose figures were not read from a source is left out (its
 *   calls are then counted as unpriced, never guessed);
 * - `source.url` is the provider's official pricing page; `via` names the page the figure was
 *   actually read on when that was a stored copy or a curated list; `readOn` is the date that page
 *   states (or the day it was read);
 * - keys are the model names the APIs report, lowercase, without dated suffixes (`gpt-4o-mini`
 *   also prices `gpt-4o-mini-2024-07-18`); a snapshot priced differently from its family gets its
 *   own key (`gpt-4o-2024-05-13`).
 *
 * Not modelled: batch and priority prices, Anthropic's 1-hour cache writes (priced as 5-minute
 * writes), Anthropic's long-context (>200k) prices for Sonnet 4/4.5 (no official figures for
 * every token type were found), audio and image tokens.
 *
 * Mistral: only dated versions are priced. Mistral's `-latest` aliases moved between versions with
 * different prices (Large 2 at $2/$6, later Large 3 at a lower price), so `mistral-large-latest`
 * stays unpriced instead of guessed; price it in a user table if you use it.
 */

const OPENAI_PRICING = 'https://platform.openai.com/docs/pricing';
const GEMINI_PRICING = 'https://ai.google.dev/gemini-api/docs/pricing';
const MISTRAL_PRICING = 'https://mistral.ai/pricing';

const LLM_PRICES_OPENAI = 'https://github.com/simonw/llm-prices/blob/main/data/openai.json';
const LLM_PRICES_GOOGLE = 'https://github.com/simonw/llm-prices/blob/main/data/google.json';
const LLM_PRICES_MISTRAL = 'https://github.com/simonw/llm-prices/blob/main/data/mistral.json';
const ANTHROPIC_DOCS = 'https://platform.claude.com/docs/en/about-claude/pricing';

const openaiList = { url: OPENAI_PRICING, readOn: '2026-07-30', via: LLM_PRICES_OPENAI } as const;
// Anthropic's official pricing documentation (the table also linked from anthropic.com/pricing).
const anthropicDocs = { url: ANTHROPIC_DOCS, readOn: '2026-11-30' } as const;
const geminiList = {
  url: GEMINI_PRICING,
  readOn: '2026-07-24',
  via: `${LLM_PRICES_GOOGLE}; Gemini 2.5 input prices also on the official page as transcribed 2026-09-20 (https://github.com/api-evangelist/gemini/blob/main/plans/gemini-plans-pricing.yml)`,
} as const;
const mistralList = { url: MISTRAL_PRICING, readOn: '2025-10-10', via: LLM_PRICES_MISTRAL } as const;

export const BUILT_IN_PRICES = {
  version: 1,
  providers: {
    openai: {
      'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6, source: openaiList },
      'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10, source: openaiList },
      // The first gpt-4o snapshot kept its launch price (no cached-input discount listed).
      'gpt-4o-2024-05-13': {
        input: 5,
        output: 15,
        source: {
          url: OPENAI_PRICING,
          readOn: '2025-06-03',
          via: 'https://hex.pm/packages/openai_responses/0.4.1/files/lib/responses/pricing.ex (transcription of the official page, dated 2025-06-03)',
        },
      },
      'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8, source: openaiList },
      'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6, source: openaiList },
      'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4, source: openaiList },
      'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10, source: openaiList },
      'gpt-5-mini': {
        input: 0.25,
        cachedInput: 0.025,
        output: 2,
        source: { url: 'https://developers.openai.com/api/docs/models/gpt-5-mini', readOn: '2026-11-30' },
      },
      'gpt-5-nano': {
        input: 0.05,
        cachedInput: 0.005,
        output: 0.4,
        source: { url: 'https://developers.openai.com/api/docs/models/gpt-5-nano', readOn: '2026-11-30' },
      },
      'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10, source: openaiList },
      'gpt-5.2': { input: 1.75, cachedInput: 0.175, output: 14, source: openaiList },
      // Prompts above 272k tokens are billed at the long-context prices.
      'gpt-5.4': {
        input: 2.5,
        cachedInput: 0.25,
        output: 15,
        tiers: [{ aboveInputTokens: 272_000, input: 5, cachedInput: 0.5, output: 22.5 }],
        source: openaiList,
      },
      o3: {
        input: 2,
        cachedInput: 0.5,
        output: 8,
        source: {
          url: OPENAI_PRICING,
          readOn: '2026-11-30',
          via: 'https://blog.csdn.net/2501_93608822/article/details/152910541 (transcription of the official o3 model page: input 2.00, cached input 0.50, output 8.00)',
        },
      },
      'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4, source: openaiList },
      'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4, source: openaiList },
      // Embeddings bill input tokens only.
      'text-embedding-3-small': {
        input: 0.02,
        output: 0,
        source: { url: 'https://developers.openai.com/api/docs/models/text-embedding-3-large', readOn: '2026-11-30' },
      },
      'text-embedding-3-large': {
        input: 0.13,
        output: 0,
        source: { url: 'https://developers.openai.com/api/docs/models/text-embedding-3-large', readOn: '2026-11-30' },
      },
    },
    // Anthropic reports input tokens without the cache reads and writes; cacheCreationInput is the
    // 5-minute cache write price.
    anthropic: {
      'claude-opus-4-6': { input: 5, cachedInput: 0.5, cacheCreationInput: 6.25, output: 25, source: anthropicDocs },
      'claude-opus-4-5': { input: 5, cachedInput: 0.5, cacheCreationInput: 6.25, output: 25, source: anthropicDocs },
      'claude-opus-4-1': { input: 15, cachedInput: 1.5, cacheCreationInput: 18.75, output: 75, source: anthropicDocs },
      'claude-opus-4': { input: 15, cachedInput: 1.5, cacheCreationInput: 18.75, output: 75, source: anthropicDocs },
      'claude-3-opus': { input: 15, cachedInput: 1.5, cacheCreationInput: 18.75, output: 75, source: anthropicDocs },
      'claude-sonnet-4-6': { input: 3, cachedInput: 0.3, cacheCreationInput: 3.75, output: 15, source: anthropicDocs },
      'claude-sonnet-4-5': { input: 3, cachedInput: 0.3, cacheCreationInput: 3.75, output: 15, source: anthropicDocs },
      'claude-sonnet-4': { input: 3, cachedInput: 0.3, cacheCreationInput: 3.75, output: 15, source: anthropicDocs },
      'claude-3-7-sonnet': { input: 3, cachedInput: 0.3, cacheCreationInput: 3.75, output: 15, source: anthropicDocs },
      'claude-haiku-4-5': { input: 1, cachedInput: 0.1, cacheCreationInput: 1.25, output: 5, source: anthropicDocs },
      'claude-3-5-haiku': { input: 0.8, cachedInput: 0.08, cacheCreationInput: 1, output: 4, source: anthropicDocs },
      'claude-3-haiku': {
        input: 0.25,
        cachedInput: 0.03,
        cacheCreationInput: 0.3,
        output: 1.25,
        source: anthropicDocs,
      },
    },
    // Amazon Bedrock on-demand, keyed by the model id the app sends (an ARN is labelled by its
    // resource id). Only the global cross-region inference profile of Claude Haiku 4.5 is priced:
    // geographic and in-region profiles (`us.`, `eu.`, the bare id) cost 10% more and are left out
    // until their own figures are read. cacheCreationInput is the 5-minute cache write price.
    'aws.bedrock': {
      'global.anthropic.claude-haiku-4-5-20251001-v1:0': {
        input: 1,
        cachedInput: 0.1,
        cacheCreationInput: 1.25,
        output: 5,
        source: {
          url: 'https://aws.amazon.com/bedrock/pricing/',
          readOn: '2026-09-29',
          via: 'https://github.com/quattro004/Agent004/wiki/Decision-LLM-Model-Selection (rates re-verified against the AWS Bedrock pricing page on 2026-09-29)',
        },
      },
    },
    // Gemini API (AI Studio) paid tier, text input. Thinking tokens are billed as output.
    'gcp.gemini': {
      'gemini-2.5-pro': {
        input: 1.25,
        cachedInput: 0.125,
        output: 10,
        tiers: [{ aboveInputTokens: 200_000, input: 2.5, cachedInput: 0.25, output: 15 }],
        source: geminiList,
      },
      'gemini-2.5-flash': { input: 0.3, cachedInput: 0.03, output: 2.5, source: geminiList },
      'gemini-2.5-flash-lite': { input: 0.1, cachedInput: 0.01, output: 0.4, source: geminiList },
      'gemini-2.0-flash': { input: 0.1, output: 0.4, source: geminiList },
    },
    mistral_ai: {
      // Listed as mistral-large-latest, which pointed to mistral-large-2411 (Large 2.1) at that date.
      'mistral-large-2411': { input: 2, output: 6, source: mistralList },
      'mistral-large-2407': {
        input: 2,
        output: 6,
        source: {
          url: MISTRAL_PRICING,
          readOn: '2026-11-30',
          via: 'https://www.lava.so/docs/gateway/providers/mistral',
        },
      },
      'mistral-medium-2505': { input: 0.4, output: 2, source: mistralList },
      // Listed as mistral-small-latest, which pointed to mistral-small-2506 (Small 3.2) at that date.
      'mistral-small-2506': { input: 0.1, output: 0.3, source: mistralList },
    },
  },
} as const satisfies PriceTableData;
