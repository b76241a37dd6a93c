import {
  MAX_HEADER_VALUE_LENGTH,
  type MalformedHeaderReason,
  type Parsed,
  parseGoDuration,
  parseNonNegativeInteger,
  parseRetryAfter,
  parseRetryAfterMs,
  parseRfc3339,
  secondsUntil,
  trimOptionalWhitespace,
} from './header-values.js';

/** Reads one response header by lowercase name: fetch `Headers.get`, or see {@link headerGetter}. */
export type HeaderGetter = (name: string) => string | null | undefined;

/** What a rate-limit window counts (`llm_rate_limit_kind`). */
export type RateLimitKind = 'requests' | 'tokens' | 'input_tokens' | 'output_tokens';

/** One rate-limit window as the headers report it; fields are absent when not sent or malformed. */
export interface RateLimitWindow {
  readonly kind: RateLimitKind;
  /** Requests or tokens allowed in the window. */
  readonly limit?: number;
  /** Requests or tokens left in the window. */
  readonly remaining?: number;
  /** Seconds until the window resets (0 when the reset time has passed). */
  readonly resetSeconds?: number;
}

/** A header that was present but refused: its name and why (never its value). */
export interface MalformedHeader {
  readonly name: string;
  readonly reason: MalformedHeaderReason;
}

/** Everything the rate-limit headers of one response say. */
export interface RateLimitInfo {
  /** Windows with at least one valid field, in a fixed order; none when the server sends no such headers. */
  readonly windows: RateLimitWindow[];
  /** From `retry-after-ms` (preferred, as the OpenAI SDK reads it) or `retry-after`. */
  readonly retryAfterSeconds?: number;
  /** Headers present but malformed: count them in `llm_otel_invalid_input_total`. */
  readonly malformed: MalformedHeader[];
}

/** Which header families to read. */
export type RateLimitScheme = 'openai' | 'anthropic' | 'all';

/** Options of {@link parseRateLimitHeaders}. */
export interface ParseRateLimitOptions {
  /** Now, in milliseconds since the epoch: the reference of reset times and HTTP dates. */
  nowMs: number;
  /**
   * `openai` (also Azure OpenAI): `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`;
   * `anthropic`: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`;
   * `all` (default): both.
   */
  scheme?: RateLimitScheme;
}

const OPENAI_KINDS: ReadonlyArray<readonly [RateLimitKind, string]> = [
  ['requests', 'requests'],
  ['tokens', 'tokens'],
];
const ANTHROPIC_KINDS: ReadonlyArray<readonly [RateLimitKind, string]> = [
  ['requests', 'requests'],
  ['tokens', 'tokens'],
  ['input_tokens', 'input-tokens'],
  ['output_tokens', 'output-tokens'],
];

/** Collects the malformed headers of one response while its values are read. */
class HeaderReader {
  readonly malformed: MalformedHeader[] = [];

  constructor(private readonly get: HeaderGetter) {}

  /** The trimmed value of a header, undefined when absent or refused (then recorded). */
  read(name: string): string | undefined {
    let raw: unknown;
    try {
      raw = this.get(name);
    } catch {
      this.malformed.push({ name, reason: 'unreadable' });
      return undefined;
    }
    if (raw === null || raw === undefined) return undefined;
    if (typeof raw !== 'string') {
      this.malformed.push({ name, reason: 'unreadable' });
      return undefined;
    }
    if (raw.length > MAX_HEADER_VALUE_LENGTH) {
      this.malformed.push({ name, reason: 'too_long' });
      return undefined;
    }
    const value = trimOptionalWhitespace(raw);
    if (value.length === 0) {
      this.malformed.push({ name, reason: 'empty' });
      return undefined;
    }
    return value;
  }

  /** A header parsed by `parse`; undefined when absent or malformed (then recorded). */
  parse(name: string, parse: (value: string) => Parsed): number | undefined {
    const value = this.read(name);
    if (value === undefined) return undefined;
    const parsed = parse(value);
    if (parsed.ok) return parsed.value;
    this.malformed.push({ name, reason: parsed.reason });
    return undefined;
  }
}

function windowOf(
  kind: RateLimitKind,
  limit: number | undefined,
  remaining: number | undefined,
  resetSeconds: number | undefined,
): RateLimitWindow | undefined {
  if (limit === undefined && remaining === undefined && resetSeconds === undefined) return undefined;
  const window: { -readonly [K in keyof RateLimitWindow]: RateLimitWindow[K] } = { kind };
  if (limit !== undefined) window.limit = limit;
  if (remaining !== undefined) window.remaining = remaining;
  if (resetSeconds !== undefined) window.resetSeconds = resetSeconds;
  return window;
}

/**
 * Reads the rate-limit headers of a response (success or failure): OpenAI and Azure OpenAI
 * `x-ratelimit-*` (reset as a Go duration such as `6m0s`), Anthropic `anthropic-ratelimit-*` (reset
 * as an RFC 3339 time, turned into seconds from `nowMs`), and `retry-after-ms` / `retry-after`
 * (seconds or an HTTP-date).
 *
 * Pure and safe on any input: values longer than 64 characters, empty, negative, fractional
 * counts, `NaN`, `1e309`, units missing or repeated are refused and listed in `malformed` (name and
 * reason only); nothing throws, a throwing getter included. Linear in the header lengths.
 */
export function parseRateLimitHeaders(get: HeaderGetter, options: ParseRateLimitOptions): RateLimitInfo {
  const reader = new HeaderReader(get);
  const { nowMs } = options;
  const scheme = options.scheme ?? 'all';
  const windows: RateLimitWindow[] = [];

  if (scheme === 'openai' || scheme === 'all') {
    for (const [kind, suffix] of OPENAI_KINDS) {
      const window = windowOf(
        kind,
        reader.parse(`x-ratelimit-limit-${suffix}`, parseNonNegativeInteger),
        reader.parse(`x-ratelimit-remaining-${suffix}`, parseNonNegativeInteger),
        reader.parse(`x-ratelimit-reset-${suffix}`, parseGoDuration),
      );
      if (window !== undefined) windows.push(window);
    }
  }
  if (scheme === 'anthropic' || scheme === 'all') {
    const untilReset = (value: string): Parsed => {
      const at = parseRfc3339(value);
      return at.ok ? secondsUntil(at.value, nowMs) : at;
    };
    for (const [kind, part] of ANTHROPIC_KINDS) {
      const prefix = `anthropic-ratelimit-${part}`;
      const window = windowOf(
        kind,
        reader.parse(`${prefix}-limit`, parseNonNegativeInteger),
        reader.parse(`${prefix}-remaining`, parseNonNegativeInteger),
        reader.parse(`${prefix}-reset`, untilReset),
      );
      if (window !== undefined) windows.push(window);
    }
  }

  const retryAfterSeconds =
    reader.parse('retry-after-ms', parseRetryAfterMs) ??
    reader.parse('retry-after', (value) => parseRetryAfter(value, nowMs));

  return retryAfterSeconds === undefined
    ? { windows, malformed: reader.malformed }
    : { windows, retryAfterSeconds, malformed: reader.malformed };
}

/** Anything headers come in: fetch `Headers` (or any object with `get`), or a plain record such as Node's `IncomingHttpHeaders`. */
export type HeaderSource =
  | { get(name: string): string | null | undefined }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/**
 * A {@link HeaderGetter} over fetch `Headers` or a plain record. Record keys are matched
 * case-insensitively; arrays (repeated headers) are joined with `, ` as fetch does, numbers are
 * turned into text, other values read as absent.
 */
export function headerGetter(source: HeaderSource): HeaderGetter {
  const withGet = source as { get?: unknown };
  if (typeof withGet.get === 'function') {
    const headers = source as { get(name: string): string | null | undefined };
    return (name) => headers.get(name);
  }
  const record = source as Readonly<Record<string, unknown>>;
  let lowercased: Map<string, unknown> | undefined;
  return (name) => {
    if (lowercased === undefined) {
      lowercased = new Map();
      for (const key of Object.keys(record)) lowercased.set(key.toLowerCase(), record[key]);
    }
    const value = lowercased.get(name.toLowerCase());
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
    return undefined;
  };
}
