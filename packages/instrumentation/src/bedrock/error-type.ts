import { errorTypeFromStatus, errorTypeOf } from '@llm-otel/core';
import { field } from '../shared/safe.js';

/**
 * `error.type` of the exceptions Bedrock Runtime names (the error's `name`, from `x-amzn-errortype`
 * or an exception event of a stream). A closed map: any other name falls back to the HTTP status.
 */
const EXCEPTION_TYPES: Readonly<Record<string, string>> = {
  ThrottlingException: 'rate_limit',
  ServiceQuotaExceededException: 'rate_limit',
  ServiceUnavailableException: 'unavailable',
  // The model is not loaded yet (on-demand models, imported models): it cannot serve now.
  ModelNotReadyException: 'unavailable',
  ValidationException: 'invalid_request',
  AccessDeniedException: 'permission_denied',
  ResourceNotFoundException: 'not_found',
  ConflictException: 'conflict',
  ModelTimeoutException: 'timeout',
  InternalServerException: 'server_error',
  ModelErrorException: 'server_error',
  ModelStreamErrorException: 'stream_error',
};

/**
 * What a failed Bedrock call records as its error: the `error.type` of the exception it names, else
 * the error when core classifies it (the SDK's `AbortError`: `aborted`; timeouts; connection
 * errors), else the type of its HTTP status (`$metadata.httpStatusCode`), else the error (`_OTHER`).
 */
export function bedrockFailure(error: unknown): unknown {
  const name = field(error, 'name');
  if (typeof name === 'string' && Object.hasOwn(EXCEPTION_TYPES, name)) return EXCEPTION_TYPES[name];
  if (errorTypeOf(error) !== '_OTHER') return error;
  const status = field(field(error, '$metadata'), 'httpStatusCode');
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 ? errorTypeFromStatus(status) : error;
}
