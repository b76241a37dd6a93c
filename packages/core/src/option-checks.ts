import { LlmOtelConfigError } from './config-error.js';

/** Checks one option value (never `undefined`: that means the default); throws {@link LlmOtelConfigError}. */
export type OptionCheck = (value: unknown, name: string) => void;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return typeof value;
}

/** An integer in `[min, max]` (so never NaN, Infinity or a string). */
export function integerIn(min: number, max: number): OptionCheck {
  return (value, name) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw new LlmOtelConfigError(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  };
}

/** `true` or `false`. */
export const isBoolean: OptionCheck = (value, name) => {
  if (typeof value !== 'boolean') throw new LlmOtelConfigError(`${name} must be true or false, got ${describe(value)}`);
};

/**
 * Checks an options object against `checks` before anything is applied: it must be a plain object,
 * every key must be known (a typo is an error naming it, not a silently ignored setting) and every
 * value other than `undefined` must pass its check.
 *
 * @param owner How the options are passed, for the messages (e.g. `getLlmMetrics() options`).
 */
export function checkOptions(input: unknown, checks: Readonly<Record<string, OptionCheck>>, owner: string): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new LlmOtelConfigError(`${owner} must be an object, got ${describe(input)}`);
  for (const key of Object.keys(input)) {
    const check = Object.hasOwn(checks, key) ? checks[key] : undefined;
    if (check === undefined)
      throw new LlmOtelConfigError(
        `unknown option ${JSON.stringify(key)} in ${owner}; known: ${Object.keys(checks).join(', ')}`,
      );
    const value = (input as Record<string, unknown>)[key];
    if (value !== undefined) check(value, `${owner}: ${key}`);
  }
}
