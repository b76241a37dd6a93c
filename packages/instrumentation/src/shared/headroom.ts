import { performance } from 'node:perf_hooks';
import { reportInternalError } from './safe.js';

/** Where a call went: the provider and server its rate-limit gauges are labelled with. */
export interface RateLimitEndpoint {
  provider: string;
  serverAddress?: string;
}

/**
 * The shortest time between two reads of the successful responses of one provider and server. The gauges keep the
 * latest value only, so under heavy traffic most responses would be read to be overwritten: within
 * this time only the latest response waits, and is read when it ends. Calls spaced more
 * than this apart are each read at once. Failures are always read at once.
 */
export const RATE_LIMIT_READ_INTERVAL_MS = 250;

/**
 * How one header family is recorded (openai's `x-ratelimit-*`, Anthropic's
 * `anthropic-ratelimit-*`): the headers of a successful response, and the error of a failed request.
 */
export interface RateLimitReader {
  /** Names the reader in the key of its {@link Headroom}s. */
  readonly scheme: string;
  response(endpoint: RateLimitEndpoint, headers: unknown): void;
  error(endpoint: RateLimitEndpoint, error: unknown): void;
}

/** Endpoints with a response waiting (for {@link flushRateLimitHeaders}). */
const waiting = new Set<Headroom>();
const flushed: Array<() => void> = [];

/**
 * The rate-limit headers of the calls to one provider and server: a successful response is read at once when the
 * previous read is {@link RATE_LIMIT_READ_INTERVAL_MS} old, else kept (only the latest) and read when
 * that time is over, from an unref'd timer. A failure is read at once, and drops a kept older
 * success, so the gauges end with the latest call's values either way.
 */
export class Headroom {
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private pending: unknown;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly endpoint: RateLimitEndpoint,
    private readonly reader: RateLimitReader,
  ) {}

  /** The headers of a successful response (fetch `Headers`; only `get` is called on them). */
  onResponse(headers: unknown): void {
    const now = performance.now();
    const since = now - this.lastReadAt;
    if (since >= RATE_LIMIT_READ_INTERVAL_MS) {
      this.lastReadAt = now;
      this.reader.response(this.endpoint, headers);
      return;
    }
    this.pending = headers;
    if (this.timer !== undefined) return;
    waiting.add(this);
    this.timer = setTimeout(() => this.flush(), RATE_LIMIT_READ_INTERVAL_MS - since);
    this.timer.unref?.();
  }

  /** The error of a failed request (an `APIError` carries the response headers). */
  onError(error: unknown): void {
    this.cancel();
    this.lastReadAt = performance.now();
    this.reader.error(this.endpoint, error);
  }

  /** Reads the kept response now, if any. */
  flush(): void {
    const headers = this.pending;
    this.cancel();
    if (headers === undefined) return;
    this.lastReadAt = performance.now();
    // From a timer: nothing of ours may throw out of it.
    try {
      this.reader.response(this.endpoint, headers);
    } catch (error) {
      reportInternalError(`${this.reader.scheme}.rate_limits`, error);
    }
  }

  private cancel(): void {
    this.pending = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    waiting.delete(this);
    if (waiting.size === 0 && flushed.length > 0) for (const resolve of flushed.splice(0)) resolve();
  }
}

/** Reads every kept response now (e.g. before a final export, or in tests). */
export function flushRateLimitHeaders(): void {
  for (const headroom of [...waiting]) headroom.flush();
}

/** Resolves once no response is kept (at once when none is): the timers have read them. For tests. */
export function rateLimitHeadersRead(): Promise<void> {
  if (waiting.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    flushed.push(resolve);
  });
}

const byEndpoint = new Map<string, Headroom>();
/** Provider and server pairs kept (core keeps 256 too); later ones are read at every call. */
const MAX_ENDPOINTS = 256;

/**
 * The one {@link Headroom} of a provider and server (looked up once per client, not per call), read
 * by `reader`.
 */
export function headroomFor(endpoint: RateLimitEndpoint, reader: RateLimitReader): Headroom {
  const key = `${reader.scheme}\u0000${endpoint.provider}\u0000${endpoint.serverAddress ?? ''}`;
  let headroom = byEndpoint.get(key);
  if (headroom === undefined) {
    headroom = new Headroom({ provider: endpoint.provider, serverAddress: endpoint.serverAddress }, reader);
    if (byEndpoint.size < MAX_ENDPOINTS) byEndpoint.set(key, headroom);
  }
  return headroom;
}
