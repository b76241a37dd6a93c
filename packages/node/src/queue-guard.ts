/**
 * Bounds the records a batch processor holds for export and counts what it refuses. The SDK's
 * batch processors drop silently when their queue is full; this guard sits in front of one
 * (`tryAdmit` before handing a record over, `release` when the exporter takes a batch), refuses at
 * the same bound and reports each refusal, so drops show in `llm_otel_dropped_events_total`.
 */
export class QueueGuard {
  private held = 0;
  private droppedCount = 0;

  constructor(
    private readonly capacity: number,
    private readonly onDrop: () => void,
  ) {}

  /** True (and counted as held) when there is room; else the record is dropped and reported. */
  tryAdmit(): boolean {
    if (this.held < this.capacity) {
      this.held++;
      return true;
    }
    this.droppedCount++;
    try {
      this.onDrop();
    } catch {
      // Counting a drop must never throw into the app's call.
    }
    return false;
  }

  /** `count` records left the queue (handed to the exporter). */
  release(count: number): void {
    this.held = Math.max(0, this.held - count);
  }

  /** Records held now (at most the capacity). */
  get size(): number {
    return this.held;
  }

  /** Records refused so far. */
  get dropped(): number {
    return this.droppedCount;
  }
}
