import {
  type Headroom,
  type RateLimitEndpoint,
  type RateLimitReader,
  headroomFor as sharedHeadroomFor,
} from '../shared/headroom.js';
import { recordErrorRateLimits, recordResponseRateLimits } from './rate-limit-headers.js';

export {
  flushRateLimitHeaders,
  Headroom,
  RATE_LIMIT_READ_INTERVAL_MS,
  rateLimitHeadersRead,
} from '../shared/headroom.js';

/** openai's reader of rate-limit headers (OpenAI and Azure OpenAI `x-ratelimit-*`). */
export const OPENAI_RATE_LIMITS: RateLimitReader = {
  scheme: 'openai',
  response: recordResponseRateLimits,
  error: recordErrorRateLimits,
};

/**
 * The one {@link Headroom} of a provider and server of openai calls (the shared reader of
 * src/shared/headroom.ts, with openai's headers).
 */
export function headroomFor(endpoint: RateLimitEndpoint): Headroom {
  return sharedHeadroomFor(endpoint, OPENAI_RATE_LIMITS);
}
