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

/**
 * Classifies a thrown value into a low-cardinality `error.type`. Understands HTTP errors that carry a
 * status (`status` in openai, `status_code` in ollama), abort and timeout errors by name, and
 * connection failures by their system error code (also when wrapped as `cause`, as fetch does).
 */
export function errorTypeOf(error: unknown): ErrorType {
  const name = field(error, 'name');
  const constructorName = field(field(error, 'constructor'), 'name');
  const names = `${typeof name === 'string' ? name : ''} ${typeof constructorName === 'string' ? constructorName : ''}`;
  if (/Abort/.test(names)) return 'aborted';
  if (/Timeout/.test(names)) return 'timeout';
  const status = field(error, 'status') ?? field(error, 'status_code');
  if (typeof status === 'number' && Number.isInteger(status)) return errorTypeFromStatus(status);
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 4; e = field(e, 'cause'), depth++) {
    const code = field(e, 'code');
    if (typeof code === 'string') {
      if (code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout';
      if (CONNECTION_CODES.has(code)) return 'connection';
    }
  }
  if (/Connection/.test(names)) return 'connection';
  if (name === 'TypeError' && /fetch failed/i.test(String(field(error, 'message')))) return 'connection';
  return OVERFLOW_VALUE;
}
