export { BUILT_IN_PRICES } from './built-in-prices.js';
export { type CostBreakdown, type CostResult, computeCost, type TokenUsage } from './cost.js';
export { MAX_MODEL_NAME_LENGTH, modelKeyCandidates, normalizeModelName, stripVersionSuffix } from './model-name.js';
export {
  builtInPriceTable,
  loadPriceTable,
  type ParsePriceTableOptions,
  PriceTable,
  PriceTableError,
  parsePriceTable,
} from './price-table.js';
export type { ModelPrice, PriceSource, PriceTableData, PriceTier, TokenPrices } from './price-types.js';
export {
  isLoopbackHost,
  LOCAL_PROVIDERS,
  LOCAL_ZERO_PRICE,
  OPENAI_COMPATIBLE_PROVIDER,
  PRICE_PROVIDER_FALLBACKS,
  type PriceQuery,
  type PriceResolution,
  resolveModelPrice,
} from './resolve.js';
export { usageFromAnthropic, usageFromGemini, usageFromOpenAI } from './usage-from-wire.js';
