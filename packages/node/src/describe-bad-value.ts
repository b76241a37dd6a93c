/**
 * A short, safe rendering of a rejected option value for an error message: never throws (a BigInt,
 * a cycle or a throwing toJSON make JSON.stringify throw), at most 80 characters.
 */
export function describeBadValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
