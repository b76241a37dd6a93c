import { OVERFLOW_VALUE } from './attributes.js';

/** Bounds on attribute values, which protect memory and the metrics backend from cardinality floods. */
export interface AttributeLimits {
  /** Longest attribute value kept; longer values become `_OTHER`. Default 128. */
  maxValueLength: number;
  /**
   * Distinct values kept per attribute key (e.g. at most this many model names); values first
   * seen after the limit is reached become `_OTHER`. Default 200.
   */
  maxDistinctValues: number;
}

export const DEFAULT_ATTRIBUTE_LIMITS: Readonly<AttributeLimits> = {
  maxValueLength: 128,
  maxDistinctValues: 200,
};

/** Why a value was replaced by `_OTHER`. */
export type OverflowReason = 'too_long' | 'too_many_values';

/**
 * Admits attribute values per key up to a fixed number of distinct values. Memory is bounded by
 * keys x maxDistinctValues x maxValueLength, whatever the input.
 */
export class AttributeValueLimiter {
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private limits: AttributeLimits,
    private readonly onOverflow: (key: string, reason: OverflowReason) => void,
  ) {}

  setLimits(limits: AttributeLimits): void {
    this.limits = limits;
    for (const values of this.seen.values()) {
      if (values.size > limits.maxDistinctValues) values.clear();
    }
  }

  /** Returns `value` if it may be used as the value of `key`, else `_OTHER` (counted). */
  admit(key: string, value: string): string {
    let values = this.seen.get(key);
    if (values === undefined) {
      values = new Set();
      this.seen.set(key, values);
    }
    if (values.has(value)) return value;
    if (value.length > this.limits.maxValueLength) {
      this.onOverflow(key, 'too_long');
      return OVERFLOW_VALUE;
    }
    if (values.size >= this.limits.maxDistinctValues) {
      this.onOverflow(key, 'too_many_values');
      return OVERFLOW_VALUE;
    }
    values.add(value);
    return value;
  }

  /** Number of distinct values held for `key` (for tests and diagnostics). */
  distinctCount(key: string): number {
    return this.seen.get(key)?.size ?? 0;
  }

  clear(): void {
    this.seen.clear();
  }
}
