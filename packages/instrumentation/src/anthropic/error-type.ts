import { errorTypeOf } from '@llm-otel/core';
import { field } from '../shared/safe.js';

/**
 * `error.type` of the error types Anthropic names in an error body (`{"type":"error","error":
 * {"type":"overloaded_error",...}}`), for errors that come without an HTTP status: an `error` event
 * in the middle of a stream (which the client throws as an `APIError` without status). A closed
 * map: any other name is not used.
 */
const BODY_ERROR_TYPES: Readonly<Record<string, string>> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'authentication',
  permission_error: 'permission_denied',
  not_found_error: 'not_found',
  request_too_large: 'request_too_large',
  rate_limit_error: 'rate_limit',
  api_error: 'server_error',
  overloaded_error: 'overloaded',
  timeout_error: 'timeout',
};

/**
 * What a failed Anthropic call records as its error: the error itself when core classifies it (HTTP
 * status: 429 `rate_limit`, 529 `overloaded`; `APIUserAbortError` `aborted`; `APIConnectionError`
 * `connection`; `APIConnectionTimeoutError` `timeout`), else the `error.type` of the Anthropic error
 * type its body names, else the error (`_OTHER`).
 */
export function anthropicFailure(error: unknown): unknown {
  if (errorTypeOf(error) !== '_OTHER') return error;
  const type = field(field(field(error, 'error'), 'error'), 'type');
  const known = typeof type === 'string' && Object.hasOwn(BODY_ERROR_TYPES, type) ? BODY_ERROR_TYPES[type] : undefined;
  return known ?? error;
}
