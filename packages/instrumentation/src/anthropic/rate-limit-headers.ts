import { getLlmMetrics, type HeaderGetter } from '@llm-otel/core';
import type { RateLimitEndpoint, RateLimitReader } from '../shared/headroom.js';
import { field } from '../shared/safe.js';

interface HeadersLike {
  get(name: string): string | null | undefined;
}

const REMAINING_REQUESTS = 'anthropic-ratelimit-requests-remaining';
const REMAINING_TOKENS = 'anthropic-ratelimit-tokens-remaining';

function isHeadersLike(value: unknown): value is HeadersLike {
  return typeof field(value, 'get') === 'function';
}

/**
 * The headers of a successful response, as core's parser reads them: `retry-after` reads as absent
 * (a success has no reason to send it), every other name from the response.
 */
function successGetter(headers: HeadersLike): HeaderGetter {
  return (name) => (name.charCodeAt(0) === 0x72 /* r */ ? undefined : headers.get(name));
}

/**
 * Records the rate-limit headers of a successful Anthropic response (`anthropic-ratelimit-
 * {requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`, reset as an RFC 3339 time)
 * into core's `llm_rate_limit_*` gauges. `headers` is the fetch `Headers` of the client's raw
 * `Response`: only `get` is called on it, the body is never touched. A response without
 * `anthropic-ratelimit-requests-remaining` or `-tokens-remaining` costs those two look-ups and
 * records nothing (a server without such headers, a gateway say, leaves no series).
 */
export function recordAnthropicResponseRateLimits(endpoint: RateLimitEndpoint, headers: unknown): void {
  if (!isHeadersLike(headers)) return;
  if (headers.get(REMAINING_REQUESTS) == null && headers.get(REMAINING_TOKENS) == null) return;
  getLlmMetrics().recordRateLimits({
    provider: endpoint.provider,
    serverAddress: endpoint.serverAddress,
    headers: successGetter(headers),
    scheme: 'anthropic',
  });
}

/**
 * Records the rate-limit headers an Anthropic `APIError` carries (`error.headers`, fetch `Headers`),
 * `retry-after` included (a 429 or 529 says it). Errors without headers (connection errors,
 * timeouts, aborts) record nothing.
 */
export function recordAnthropicErrorRateLimits(endpoint: RateLimitEndpoint, error: unknown): void {
  const headers = field(error, 'headers');
  if (typeof headers !== 'object' || headers === null) return;
  getLlmMetrics().recordRateLimits({
    provider: endpoint.provider,
    serverAddress: endpoint.serverAddress,
    headers: headers as HeadersLike,
    scheme: 'anthropic',
  });
}

/** The Anthropic header family, for the shared rate-limit reader (src/shared/headroom.ts). */
export const ANTHROPIC_RATE_LIMITS: RateLimitReader = {
  scheme: 'anthropic',
  response: recordAnthropicResponseRateLimits,
  error: recordAnthropicErrorRateLimits,
};
