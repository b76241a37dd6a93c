/**
 * The parts the logs and traces signals share around the SDK's batch processor: the queue guard
 * that bounds and counts it, the exporter wrapper that frees the guard's room, and the batch
 * options taken from the signal's settings. Type-only SDK imports, so loading this module loads
 * no SDK (each signal's setup module loads its own SDK, and only when that signal is on).
 */

import type { ResolvedSignal } from './config.js';
import { QueueGuard } from './queue-guard.js';

/** The shape shared by the SDK's span and log record exporters. */
export interface BatchExporter<T, Result> {
  export(items: T[], resultCallback: (result: Result) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** Passes batches on, telling the guard that they left the queue. */
class ReleasingExporter<T, Result> implements BatchExporter<T, Result> {
  constructor(
    private readonly inner: BatchExporter<T, Result>,
    private readonly guard: QueueGuard,
  ) {}
  export(items: T[], resultCallback: (result: Result) => void): void {
    this.guard.release(items.length);
    this.inner.export(items, resultCallback);
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** The options of a batch processor (span or log record) for a signal's settings. */
export interface BatchOptions {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
}

/** What a guarded batch processor is built from: the guard, the wrapped exporter, the options. */
export interface BoundedBatch<T, Result> {
  guard: QueueGuard;
  exporter: Required<BatchExporter<T, Result>>;
  options: BatchOptions;
}

/**
 * The guard (at the signal's queue bound, reporting each drop to `onDrop`), `exporter` wrapped to
 * release the guard, and the batch options: the caller builds its SDK's batch processor from them
 * and admits records through the guard.
 */
export function boundedBatch<T, Result>(
  exporter: BatchExporter<T, Result>,
  config: ResolvedSignal,
  onDrop: () => void,
): BoundedBatch<T, Result> {
  const guard = new QueueGuard(config.maxQueueSize, onDrop);
  return {
    guard,
    exporter: new ReleasingExporter(exporter, guard),
    options: {
      maxQueueSize: config.maxQueueSize,
      maxExportBatchSize: Math.min(512, config.maxQueueSize),
      scheduledDelayMillis: config.scheduleDelayMs,
      exportTimeoutMillis: config.otlp ? config.otlp.timeoutMs : 30000,
    },
  };
}
