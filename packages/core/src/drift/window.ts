/**
 * Fixed-capacity sample windows. Memory is allocated once, in the constructor (8 bytes per slot), and
 * never grows, whatever the number of observations.
 */

/** A sliding window over the last `capacity` values (a ring buffer): pushing into a full window evicts the oldest. */
export class RingBuffer {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new RangeError('window capacity must be a positive integer');
    this.values = new Float64Array(capacity);
  }

  /** Number of values held (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  /** Bytes allocated for the values. */
  get byteLength(): number {
    return this.values.byteLength;
  }

  push(value: number): void {
    this.values[this.next] = value;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.count < this.capacity) this.count++;
  }

  clear(): void {
    this.next = 0;
    this.count = 0;
  }

  /**
   * Copies the values (oldest first) into `out`, which needs at least `size` slots, and returns the
   * filled part as a view of `out` (no allocation besides the view).
   */
  copyInto(out: Float64Array): Float64Array {
    const n = this.count;
    if (out.length < n) throw new RangeError('copyInto: target too small');
    if (n < this.capacity) {
      out.set(this.values.subarray(0, n));
    } else {
      const tail = this.values.subarray(this.next);
      out.set(tail);
      out.set(this.values.subarray(0, this.next), tail.length);
    }
    return out.subarray(0, n);
  }

  /** Copies the values into `out` and sorts them ascending; returns the sorted view. */
  sortedInto(out: Float64Array): Float64Array {
    return this.copyInto(out).sort();
  }
}

/**
 * A reference sample of at most `capacity` values: filled once (the first observations, or a copy
 * of a window the user freezes as baseline), then kept sorted and read-only until reset.
 */
export class ReferenceSample {
  private readonly values: Float64Array;
  private count = 0;
  private frozen = false;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0))
      throw new RangeError('reference capacity must be a positive integer');
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.values.byteLength;
  }

  /** Whether the reference is complete (and sorted). */
  get isFrozen(): boolean {
    return this.frozen;
  }

  /** Adds a value while collecting; freezes (sorts) when full. Returns true when it froze on this call. */
  add(value: number): boolean {
    if (this.frozen) return false;
    this.values[this.count++] = value;
    if (this.count === this.capacity) {
      this.freeze();
      return true;
    }
    return false;
  }

  /** Replaces the content with the last `capacity` values of `sample` and freezes. */
  replaceWith(sample: Float64Array): void {
    const from = Math.max(0, sample.length - this.capacity);
    this.values.set(sample.subarray(from));
    this.count = sample.length - from;
    this.freeze();
  }

  /** Ends collection with what was gathered so far (sorted). */
  freeze(): void {
    this.values.subarray(0, this.count).sort();
    this.frozen = true;
  }

  /** Empties the reference; the next values collected form the new one. */
  reset(): void {
    this.count = 0;
    this.frozen = false;
  }

  /** The sorted reference values (a view; valid while frozen). */
  sorted(): Float64Array {
    return this.values.subarray(0, this.count);
  }
}
