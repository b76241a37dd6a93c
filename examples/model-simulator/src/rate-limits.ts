/**
 * OpenAI-style rate limits: a request window and a token window, each allowing `limit` per minute,
 * reported in the headers OpenAI and Azure OpenAI send (`x-ratelimit-{limit,remaining,reset}-
 * {requests,tokens}`, the reset as a Go duration such as `6m0s` or `12ms`). A window starts with
 * the first request after the previous one ended; each answered request takes one request and its
 * prompt and completion tokens; when a window cannot take a request, the request gets a 429 with
 * `retry-after` (whole seconds until that window resets), as a real provider answers.
 */

/** Requests and tokens allowed per minute. */
export interface RateLimitSettings {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

/** How long a window lasts. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * A duration as Go's `time.Duration.String()` writes it, from milliseconds rounded to whole
 * milliseconds: `0s`, `12ms`, `1s`, `59.998s`, `6m0s`, `1h2m3.5s`.
 */
export function formatGoDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const whole = Math.floor(millis / 1000);
  const fraction = millis % 1000;
  // Go writes the fraction without trailing zeros.
  const seconds = fraction === 0 ? `${whole}` : `${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** A time as Anthropic writes a rate-limit reset: RFC 3339 in UTC, to the second (`2026-01-01T00:01:00Z`). */
export function formatRfc3339(ms: number): string {
  return `${new Date(Math.ceil(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

class Window {
  private used = 0;
  private endsAt = 0;

  constructor(readonly limit: number) {}

  /** Starts a new window when the previous one has ended. */
  private roll(now: number): void {
    if (now >= this.endsAt) {
      this.used = 0;
      this.endsAt = now + RATE_LIMIT_WINDOW_MS;
    }
  }

  fits(amount: number, now: number): boolean {
    this.roll(now);
    return this.used + amount <= this.limit;
  }

  take(amount: number, now: number): void {
    this.roll(now);
    this.used = Math.min(this.limit, this.used + amount);
  }

  remaining(now: number): number {
    this.roll(now);
    return this.limit - this.used;
  }

  resetMs(now: number): number {
    this.roll(now);
    return this.endsAt - now;
  }
}

/** What the windows say about one request. */
export interface RateLimitOutcome {
  /** The `x-ratelimit-*` headers (and `retry-after` when refused). */
  headers: Record<string, string>;
  /** Over a limit: the request must be answered with a 429. */
  refused: boolean;
}

/** The request and token windows of one simulated account (shared by every model it calls). */
export class RateLimitWindows {
  private readonly requests: Window;
  private readonly tokens: Window;
  /** Anthropic's input and output token windows (its `tokens` headers report the tighter one). */
  private readonly inputTokens: Window;
  private readonly outputTokens: Window;

  constructor(
    settings: RateLimitSettings,
    private readonly clock: () => number = Date.now,
  ) {
    this.requests = new Window(settings.requestsPerMinute);
    this.tokens = new Window(settings.tokensPerMinute);
    this.inputTokens = new Window(settings.tokensPerMinute);
    // Anthropic allows fewer output than input tokens per minute.
    this.outputTokens = new Window(Math.max(1, Math.floor(settings.tokensPerMinute / 5)));
  }

  /**
   * Anthropic-style: takes one request of `input` prompt and `output` completion tokens when the
   * request, input and output windows can take it, and returns `anthropic-ratelimit-{requests,
   * tokens,input-tokens,output-tokens}-{limit,remaining,reset}` (reset as an RFC 3339 time; `tokens`
   * is the input or output window with less room), with `retry-after` when refused.
   */
  admitAnthropic(input: number, output: number, answered: boolean): RateLimitOutcome {
    const now = this.clock();
    const requestsFit = this.requests.fits(1, now);
    const inputFits = this.inputTokens.fits(input, now);
    const outputFits = this.outputTokens.fits(output, now);
    const refused = !requestsFit || !inputFits || !outputFits;
    if (answered && !refused) {
      this.requests.take(1, now);
      this.inputTokens.take(input, now);
      this.outputTokens.take(output, now);
    }
    const headers = this.anthropicHeaders(now);
    if (refused) {
      const waitMs = Math.max(
        requestsFit ? 0 : this.requests.resetMs(now),
        inputFits ? 0 : this.inputTokens.resetMs(now),
        outputFits ? 0 : this.outputTokens.resetMs(now),
      );
      headers['retry-after'] = String(Math.max(1, Math.ceil(waitMs / 1000)));
    }
    return { headers, refused };
  }

  /** The Anthropic headers as of now. */
  anthropicHeaders(now = this.clock()): Record<string, string> {
    const tighter =
      this.outputTokens.remaining(now) / this.outputTokens.limit <
      this.inputTokens.remaining(now) / this.inputTokens.limit
        ? this.outputTokens
        : this.inputTokens;
    const headers: Record<string, string> = {};
    for (const [part, window] of [
      ['requests', this.requests],
      ['tokens', tighter],
      ['input-tokens', this.inputTokens],
      ['output-tokens', this.outputTokens],
    ] as const) {
      headers[`anthropic-ratelimit-${part}-limit`] = String(window.limit);
      headers[`anthropic-ratelimit-${part}-remaining`] = String(window.remaining(now));
      headers[`anthropic-ratelimit-${part}-reset`] = formatRfc3339(now + window.resetMs(now));
    }
    return headers;
  }

  /**
   * Takes one request of `tokens` tokens when both windows can take it (`answered`: false for a
   * request that fails anyway, which takes nothing), and returns the headers as of after it.
   */
  admit(tokens: number, answered: boolean): RateLimitOutcome {
    const now = this.clock();
    const requestsFit = this.requests.fits(1, now);
    const tokensFit = this.tokens.fits(tokens, now);
    const refused = !requestsFit || !tokensFit;
    if (answered && !refused) {
      this.requests.take(1, now);
      this.tokens.take(tokens, now);
    }
    const headers = this.headers(now);
    if (refused) {
      const waitMs = Math.max(requestsFit ? 0 : this.requests.resetMs(now), tokensFit ? 0 : this.tokens.resetMs(now));
      headers['retry-after'] = String(Math.max(1, Math.ceil(waitMs / 1000)));
    }
    return { headers, refused };
  }

  /** The headers as of now, for a response that takes nothing (e.g. a simulated failure). */
  headers(now = this.clock()): Record<string, string> {
    return {
      'x-ratelimit-limit-requests': String(this.requests.limit),
      'x-ratelimit-limit-tokens': String(this.tokens.limit),
      'x-ratelimit-remaining-requests': String(this.requests.remaining(now)),
      'x-ratelimit-remaining-tokens': String(this.tokens.remaining(now)),
      'x-ratelimit-reset-requests': formatGoDuration(this.requests.resetMs(now)),
      'x-ratelimit-reset-tokens': formatGoDuration(this.tokens.resetMs(now)),
    };
  }

  /** Seconds until the request window resets, at least 1 (the `retry-after` of a simulated 429). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.requests.resetMs(this.clock()) / 1000));
  }
}
