/**
 * A uniform sample of at most `capacity` values of a stream (Algorithm R): every value seen has the
 * same chance to be in it, memory is fixed. O(1) per value.
 */
export class Reservoir {
  private readonly values: Float64Array;
  /** Values offered so far. */
  seen = 0;

  constructor(
    readonly capacity: number,
    private readonly random: () => number,
  ) {
    this.values = new Float64Array(capacity);
  }

  add(value: number): void {
    this.seen++;
    if (this.seen <= this.capacity) this.values[this.seen - 1] = value;
    else {
      const slot = Math.floor(this.random() * this.seen);
      if (slot < this.capacity) this.values[slot] = value;
    }
  }

  /** How many values the sample holds. */
  get size(): number {
    return Math.min(this.seen, this.capacity);
  }

  /** A copy of the sample. */
  snapshot(): Float64Array {
    return this.values.slice(0, this.size);
  }
}
