import { field } from '../shared/safe.js';

/**
 * What to record as a model call's failure from an AI SDK error: the HTTP status of an
 * `APICallError` (`statusCode`; core maps it to `error.type`), looking through a `RetryError` to
 * its `lastError`; any other error as it is, for core to classify (never its message).
 */
export function failureOf(error: unknown): unknown {
  const last = field(error, 'lastError');
  const inner = last !== undefined ? last : error;
  const status = field(inner, 'statusCode');
  if (typeof status === 'number' && Number.isInteger(status)) return status;
  return inner === undefined || inner === null ? 'error' : inner;
}
