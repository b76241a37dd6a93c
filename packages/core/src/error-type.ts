import { OVERFLOW_VALUE } from './attributes.js';

/**
 * The `error.type` values llm-otel derives from failures. A closed set keeps the label's
 * cardinality low; anything unrecognised becomes `_OTHER`.
 */
export const ERROR_TYPES = [
  'aborted',
  'timeout',
  'connection',
  'rate_limit',
  'authentication',
  'permission_denied',
  'not_found',
  'invalid_request',
  'conflict',
  'request_too_large',
  'server_error',
  'unavailable',
  // Anthropic's 529 (`overloaded_error`): the provider is busy, not broken.
  'overloaded',
  'stream_error',
  OVERFLOW_VALUE,
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  // The body of a response ended before the stream did (openai 4 on node-fetch).
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Maps an HTTP status code to an {@link ErrorType}. */
export function errorTypeFromStatus(status: number): ErrorType {
  switch (status) {
    case 400:
    case 422:
      return 'invalid_request';
    case 401:
      return 'authentication';
    case 403:
      return 'permission_denied';
    case 404:
      return 'not_found';
    case 408:
      return 'timeout';
    case 409:
      return 'conflict';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit';
    case 503:
      return 'unavailable';
    case 529:
      return 'overloaded';
  }
  if (status >= 500 && status <= 599) return 'server_error';
  if (status >= 400 && status <= 499) return 'invalid_request';
  return OVERFLOW_VALUE;
}

function field(value: unknown, key: string): unknown {
  // Functions too: the class of an error is read through `constructor.name`.
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** Longest name (error `name`, class name) that is looked at; longer ones are ignored, not scanned. */
const MAX_NAME_LENGTH = 128;

function shortString(value: unknown, max: number): string {
  return typeof value === 'string' && value.length <= max ? value : '';
}

function classify(error: unknown): ErrorType {
  // Substring checks (no regular expressions) on names of bounded length: linear and cheap.
  const name = shortString(field(error, 'name'), MAX_NAME_LENGTH);
  const constructorName = shortString(field(field(error, 'constructor'), 'name'), MAX_NAME_LENGTH);
  const has = (part: string) => name.includes(part) || constructorName.includes(part);
  if (has('Abort')) return 'aborted';
  if (has('Timeout')) return 'timeout';
  const status = field(error, 'status') ?? field(error, 'status_code');
  if (typeof status === 'number' && Number.isInteger(status)) return errorTypeFromStatus(status);
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; e = field(e, 'cause'), depth++) {
    const code = field(e, 'code');
    if (typeof code === 'string') {
      if (code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout';
      if (CONNECTION_CODES.has(code)) return 'connection';
    }
  }
  if (has('Connection')) return 'connection';
  // undici's message is exactly "fetch failed"; a long message is not scanned.
  if (name === 'TypeError' && shortString(field(error, 'message'), 64).toLowerCase().includes('fetch failed'))
    return 'connection';
  return OVERFLOW_VALUE;
}

/**
 * Classifies a thrown value into a low-cardinality `error.type`. Understands HTTP errors that carry a
 * status (`status` in openai, `status_code` in ollama), abort and timeout errors by name or class
 * name, and connection failures by their system error code (also when wrapped as `cause`, as fetch
 * does). Never throws (a throwing getter gives `_OTHER`); names longer than 128 characters are ignored.
 */
export function errorTypeOf(error: unknown): ErrorType {
  try {
    return classify(error);
  } catch {
    return OVERFLOW_VALUE;
  }
}

const KNOWN_ERROR_TYPES: ReadonlySet<string> = new Set(ERROR_TYPES);

/** Longest error class name accepted as an `error.type`. */
const MAX_CLASS_NAME_LENGTH = 64;

// One character class under one bounded quantifier, anchored at both ends: no backtracking, and the
// length is checked before the regular expression runs.
const CLASS_NAME = /^[A-Z][A-Za-z0-9]*$/;

/**
 * Whether `value` looks like an error class name (`RateLimitError`, `ValidationError`): an ASCII
 * letter in upper case followed by at most 63 letters or digits. Free text (spaces, punctuation,
 * e-mail addresses, ids with dashes) never matches.
 */
export function isErrorClassName(value: string): boolean {
  return value.length <= MAX_CLASS_NAME_LENGTH && CLASS_NAME.test(value);
}

/**
 * The `error.type` of the `error` field of an inference record:
 * - a string is kept when it is one of {@link ERROR_TYPES} or an error class name
 *   ({@link isErrorClassName}); a 3-digit HTTP status (`"429"`) is mapped like a status; any other
 *   string (free text such as a message) becomes `_OTHER`, so it never reaches a label;
 * - a number is read as an HTTP status;
 * - anything else is classified with {@link errorTypeOf}.
 */
export function errorTypeOfRecord(error: unknown): string {
  if (typeof error === 'string') {
    if (KNOWN_ERROR_TYPES.has(error) || isErrorClassName(error)) return error;
    if (error.length === 3) {
      const status = Number(error);
      if (Number.isInteger(status) && status >= 100) return errorTypeFromStatus(status);
    }
    return OVERFLOW_VALUE;
  }
  if (typeof error === 'number') return Number.isInteger(error) ? errorTypeFromStatus(error) : OVERFLOW_VALUE;
  return errorTypeOf(error);
}
