import { LlmOtelConfigError } from '../config-error.js';

/** Checks one option value; returns what was expected when it is wrong, else undefined. */
export type DriftOptionCheck = (value: unknown) => string | undefined;

/** An integer in `[min, max]` (so never NaN, Infinity or a string). */
export const integerIn =
  (min: number, max: number): DriftOptionCheck =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `an integer from ${min} to ${max}`;

/** A number accepted by `ok` (NaN never is: every comparison with it is false). */
export const numberWhere =
  (expected: string, ok: (v: number) => boolean): DriftOptionCheck =>
  (v) =>
    typeof v === 'number' && ok(v) ? undefined : expected;

/** One of the given strings. */
export const oneOf =
  (values: readonly string[]): DriftOptionCheck =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `one of ${values.join(', ')}`;

/** A bad value, briefly, for an error message (at most 40 characters of a string). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return typeof value === 'function' ? 'a function' : String(value);
}

/**
 * Checks the options `input` sets against `checks` before anything is applied: `input` must be a
 * plain object, every key known (a typo is an error naming it, not a silently ignored setting), and
 * every value other than `undefined` (which means "the default") must pass its check.
 * @throws LlmOtelConfigError naming the first bad option and what it must be
 */
export function checkDriftOptions(input: unknown, checks: Readonly<Record<string, DriftOptionCheck>>): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new LlmOtelConfigError(`drift options must be an object, got ${describeValue(input)}`);
  for (const [key, value] of Object.entries(input)) {
    const check = Object.hasOwn(checks, key) ? checks[key] : undefined;
    if (check === undefined)
      throw new LlmOtelConfigError(
        `unknown drift option ${JSON.stringify(key)}; known: ${Object.keys(checks).join(', ')}`,
      );
    if (value === undefined) continue;
    const expected = check(value);
    if (expected !== undefined)
      throw new LlmOtelConfigError(`drift option ${key} must be ${expected}, got ${describeValue(value)}`);
  }
}

/** `base` overridden by the values `input` sets; `undefined` keeps the base value (the default). */
export function mergeDefined<T extends object>(base: T, input: Partial<T>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[key] = value;
  return out as T;
}
