import { modelKeyCandidates } from './model-name.js';
import type { PriceTable } from './price-table.js';
import type { ModelPrice } from './price-types.js';

/**
 * Providers whose calls are billed at another provider's list prices when the table has no entry
 * of their own: Azure OpenAI global deployments bill OpenAI's prices (regional and data-zone
 * deployments cost more: price them under `azure.ai.openai` in a user table).
 */
export const PRICE_PROVIDER_FALLBACKS: Readonly<Record<string, string>> = Object.freeze({
  'azure.ai.openai': 'openai',
});

/** Providers that run models locally: their calls cost 0 unless a user table prices them. */
export const LOCAL_PROVIDERS: ReadonlySet<string> = new Set(['ollama']);

/** The provider name of OpenAI-API servers that are neither OpenAI nor Azure (local when on loopback). */
export const OPENAI_COMPATIBLE_PROVIDER = 'openai_compatible';

/** The price of a local call (nothing is billed per token). */
export const LOCAL_ZERO_PRICE: ModelPrice = Object.freeze({
  input: 0,
  cachedInput: 0,
  cacheCreationInput: 0,
  output: 0,
});

/** What is known of a call, to find its price. */
export interface PriceQuery {
  /** `gen_ai.provider.name`, e.g. `openai`, `anthropic`, `azure.ai.openai`, `ollama`. */
  provider: string;
  /** The model the app asked for (for Azure: the deployment name). */
  requestModel?: string | undefined;
  /** The model the response reports; preferred when it resolves. */
  responseModel?: string | undefined;
  /** `server.address` of the call (tells a local OpenAI-compatible server). */
  serverAddress?: string | undefined;
}

/** How a call is priced. */
export type PriceResolution =
  | {
      status: 'priced';
      price: ModelPrice;
      /** The table provider and model key that matched. */
      provider: string;
      model: string;
      /** Which reported name matched. */
      from: 'response_model' | 'request_model';
    }
  /** A local provider with no configured price: cost 0. */
  | { status: 'local'; price: ModelPrice }
  /** No price known: no cost is recorded (never guessed). */
  | { status: 'unpriced' };

const UNPRICED: PriceResolution = Object.freeze({ status: 'unpriced' });
const LOCAL: PriceResolution = Object.freeze({ status: 'local', price: LOCAL_ZERO_PRICE });

function isIPv4Loopback(host: string): boolean {
  // 127.0.0.0/8, written as four decimal octets.
  const parts = host.split('.');
  if (parts.length !== 4 || parts[0] !== '127') return false;
  return parts.every((part) => {
    if (part.length === 0 || part.length > 3) return false;
    for (let i = 0; i < part.length; i += 1) {
      const c = part.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return false;
    }
    return Number(part) <= 255;
  });
}

/** True for `localhost` (and `*.localhost`), `127.0.0.0/8` and `::1` (bracketed or not). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host.length === 0 || host.length > 253) return false;
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  return isIPv4Loopback(h);
}

/**
 * Finds the price of a call: in the provider's own entries first (response model, then request
 * model, each as reported and then without a version suffix), then in its fallback provider's
 * (Azure: OpenAI's). Exact keys only, so an unknown model is never priced like a similar one.
 * Without a match, a local provider (Ollama, an OpenAI-compatible server on a loopback address)
 * costs 0 and anything else is `unpriced`.
 */
export function resolveModelPrice(table: PriceTable, query: PriceQuery): PriceResolution {
  const names: Array<['response_model' | 'request_model', string[]]> = [];
  const responseKeys = modelKeyCandidates(query.responseModel);
  if (responseKeys.length > 0) names.push(['response_model', responseKeys]);
  const requestKeys = modelKeyCandidates(query.requestModel);
  if (requestKeys.length > 0 && requestKeys[0] !== responseKeys[0]) names.push(['request_model', requestKeys]);

  const fallback = PRICE_PROVIDER_FALLBACKS[query.provider];
  const providers = fallback === undefined ? [query.provider] : [query.provider, fallback];
  for (const provider of providers) {
    for (const [from, keys] of names) {
      for (const model of keys) {
        const price = table.lookup(provider, model);
        if (price !== undefined) return { status: 'priced', price, provider, model, from };
      }
    }
  }
  if (LOCAL_PROVIDERS.has(query.provider)) return LOCAL;
  if (query.provider === OPENAI_COMPATIBLE_PROVIDER && isLoopbackHost(query.serverAddress)) return LOCAL;
  return UNPRICED;
}
