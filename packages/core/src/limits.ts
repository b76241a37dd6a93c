import { ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_RESPONSE_MODEL, OVERFLOW_VALUE } from './attributes.js';

/** Bounds on attribute values, which protect memory and the metrics backend from cardinality floods. */
export interface AttributeLimits {
  /** Longest attribute value kept; longer values become `_OTHER`. Default 128. */
  maxValueLength: number;
  /**
   * Distinct values kept per attribute key (e.g. at most this many providers or tasks); values
   * first seen after the limit is reached become `_OTHER`. Default 200. Model names have their own
   * limit, {@link AttributeLimits.maxDistinctModels}.
   */
  maxDistinctValues: number;
  /**
   * Distinct values kept for `gen_ai.request.model` and for `gen_ai.response.model` (each). Default 20.
   * Lower than `maxDistinctValues` because model names are the attribute a caller most often
   * controls (a proxy forwards the requested name) and each model adds a full set of histograms
   * (about 100 exported samples) to every scrape: 20 keep `/metrics` under 1 MB during a flood of
   * distinct names.
   */
  maxDistinctModels: number;
}

export const DEFAULT_ATTRIBUTE_LIMITS: Readonly<AttributeLimits> = Object.freeze({
  maxValueLength: 128,
  maxDistinctValues: 200,
  maxDistinctModels: 20,
});

/** The limits an {@link AttributeValueLimiter} applies; without `maxDistinctModels`, model keys use `maxDistinctValues`. */
export type LimiterLimits = Pick<AttributeLimits, 'maxValueLength' | 'maxDistinctValues'> &
  Partial<Pick<AttributeLimits, 'maxDistinctModels'>>;

/** Why a value was replaced by `_OTHER`. */
export type OverflowReason = 'too_long' | 'too_many_values' | 'control_character';

/** Whether `value` holds a control character (U+0000 to U+001F or U+007F): one linear pass. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function isModelKey(key: string): boolean {
  return key === ATTR_GEN_AI_REQUEST_MODEL || key === ATTR_GEN_AI_RESPONSE_MODEL;
}

/**
 * Admits attribute values per key up to a fixed number of distinct values, and no value holding a
 * control character. Memory is bounded by
 * keys x distinct-value limit x maxValueLength, whatever the input.
 */
export class AttributeValueLimiter {
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private limits: LimiterLimits,
    private readonly onOverflow: (key: string, reason: OverflowReason) => void,
  ) {}

  /** The distinct-value limit of `key`. */
  limitFor(key: string): number {
    const models = this.limits.maxDistinctModels;
    return models !== undefined && isModelKey(key) ? models : this.limits.maxDistinctValues;
  }

  /** Applies new limits. A key holding more values than its new limit starts again from none. */
  setLimits(limits: LimiterLimits): void {
    this.limits = limits;
    for (const [key, values] of this.seen) {
      if (values.size > this.limitFor(key)) values.clear();
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
    // Never in a label (they garble exposition formats), and series keys rely on it (KEY_SEPARATOR).
    if (hasControlCharacter(value)) {
      this.onOverflow(key, 'control_character');
      return OVERFLOW_VALUE;
    }
    if (values.size >= this.limitFor(key)) {
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
