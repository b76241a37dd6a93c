import { LlmOtelConfigError } from '../config-error.js';
import { checkOptions, type OptionCheck } from '../option-checks.js';
import { describeValue } from '../validate.js';

export { integerIn, type OptionCheck } from '../option-checks.js';

/** A number accepted by `ok`, described as `expected` in the error (NaN never passes a comparison). */
export function numberWhere(expected: string, ok: (v: number) => boolean): OptionCheck {
  return (value, name) => {
    if (typeof value !== 'number' || !ok(value))
      throw new LlmOtelConfigError(`${name} must be ${expected}, got ${describeValue(value)}`);
  };
}

/** One of the given strings. */
export function oneOf(values: readonly string[]): OptionCheck {
  return (value, name) => {
    if (typeof value !== 'string' || !values.includes(value))
      throw new LlmOtelConfigError(`${name} must be one of ${values.join(', ')}, got ${describeValue(value)}`);
  };
}

/**
 * Checks the drift options `input` sets (see `checkOptions`: a plain object, known keys only,
 * `undefined` means the default) before anything is applied.
 * @throws LlmOtelConfigError naming the first bad option
 */
export function checkDriftOptions(input: unknown, checks: Readonly<Record<string, OptionCheck>>): void {
  checkOptions(input, checks, 'drift options');
}

/** `base` overridden by the values `input` sets; `undefined` keeps the base value (the default). */
export function mergeDefined<T extends object>(base: T, input: Partial<T>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[key] = value;
  return out as T;
}
