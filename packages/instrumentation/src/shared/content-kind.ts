/**
 * What a streamed chunk (or choice) carries, for the time to first token and the time per output
 * token: generated content, reasoning text only, or nothing yet.
 */
export type ContentKind = 'content' | 'reasoning' | undefined;

/** Whether a delta field carries something: a non-empty string or array, or an object. */
export function nonEmpty(value: unknown): boolean {
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  return typeof value === 'object' && value !== null;
}
