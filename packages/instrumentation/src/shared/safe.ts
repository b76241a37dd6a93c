import { getLlmMetrics } from '@llm-otel/core';

/**
 * Runs `fn` and returns its result; if it throws, reports the exception as an llm-otel internal
 * error (counted and logged once through the diag logger) and returns `fallback`. Everything the
 * instrumentations do besides calling the original method goes through here, so that a bug of ours
 * never reaches the application.
 */
export function safely<T>(component: string, fn: () => T, fallback: T): T;
export function safely(component: string, fn: () => void): void;
export function safely<T>(component: string, fn: () => T, fallback?: T): T | undefined {
  try {
    return fn();
  } catch (error) {
    getLlmMetrics().reportInternalError(component, error);
    return fallback;
  }
}

/** Reports an exception of ours that was caught on a hot path (where `safely` would cost a closure). */
export function reportInternalError(component: string, error: unknown): void {
  getLlmMetrics().reportInternalError(component, error);
}

/** Reads `object[key]` when `object` is an object or a function, else undefined. */
export function field(object: unknown, key: string): unknown {
  return (typeof object === 'object' && object !== null) || typeof object === 'function'
    ? (object as Record<string, unknown>)[key]
    : undefined;
}

/** A non-negative integer token count, or undefined: usage fields are taken only when they are valid. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** A non-empty string, or undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
