/**
 * The MLflow span processor of register()'s traces: each sampled span goes, batched, to MLflow's
 * OTLP endpoint as a trace of the experiment. Loaded with `import()` only when MLflow traces are
 * asked for. Until the experiment's id is known (a name is looked up, or created, first) spans wait
 * in the same bounded queue, so the first calls are not lost when MLflow answers soon.
 */

import type { MlflowTraceDestination } from '@llm-otel/mlflow';
import { diag } from '@opentelemetry/api';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { MlflowSpanExporter } from './mlflow-span-exporter.js';
import type { MlflowTracesSettings } from './mlflow-traces-config.js';
import { QueueGuard } from './queue-guard.js';

/** Spans not delivered to MLflow: `count` at once (a full queue, a failed batch, an experiment never resolved). */
export type MlflowDropCounter = (count: number) => void;

/**
 * Admits sampled spans through the guard (the signal's queue bound) and holds them until the
 * destination is known; then hands them, and every later one, to the batch processor.
 */
export class MlflowSpanProcessor implements SpanProcessor {
  private held: ReadableSpan[] = [];
  private batch: SpanProcessor | undefined;
  /** Set when the experiment can not be resolved, or at shutdown: spans are then dropped and counted. */
  private closed = false;
  private markSettled: () => void = () => {};
  /** Settles when the destination is known or will never be (attach or close). */
  private readonly settled = new Promise<void>((resolve) => {
    this.markSettled = resolve;
  });

  /**
   * @param waitMs How long a flush or shutdown waits for the experiment still being resolved (an app
   *   that exits right after its first calls), before what is held is dropped and counted.
   */
  constructor(
    readonly guard: QueueGuard,
    private readonly onDrop: MlflowDropCounter,
    private readonly stopResolving: () => void,
    private readonly waitMs: number,
  ) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    // Unsampled spans are not exported, so they take no room.
    if ((span.spanContext().traceFlags & 1) === 0) return;
    if (this.closed) {
      this.onDrop(1);
      return;
    }
    if (!this.guard.tryAdmit()) return; // the guard counted it
    if (this.batch !== undefined) this.batch.onEnd(span);
    else this.held.push(span);
  }

  /** The destination is known: the held spans go to `batch` first, in order. */
  attach(batch: SpanProcessor): void {
    this.markSettled();
    if (this.closed) {
      void batch.shutdown();
      return;
    }
    this.batch = batch;
    const held = this.held;
    this.held = [];
    for (const span of held) batch.onEnd(span);
  }

  /** The destination will never be known: what is held is dropped and counted, and so is every later span. */
  close(): void {
    this.markSettled();
    this.closed = true;
    this.stopResolving();
    const count = this.held.length;
    this.held = [];
    if (count > 0) {
      this.guard.release(count);
      this.onDrop(count);
    }
  }

  async forceFlush(): Promise<void> {
    await this.untilSettled();
    await this.batch?.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.untilSettled();
    const batch = this.batch;
    this.close();
    await batch?.shutdown();
  }

  /** Waits (at most `waitMs`) for the destination while spans are held for it. */
  private async untilSettled(): Promise<void> {
    if (this.batch !== undefined || this.closed || this.held.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled, new Promise((resolve) => (timer = setTimeout(resolve, this.waitMs)))]);
    clearTimeout(timer);
  }
}

/** The batch processor sending to `destination`; each batch it takes frees its room in `guard`. */
function batchTo(
  destination: MlflowTraceDestination,
  settings: MlflowTracesSettings,
  guard: QueueGuard,
  onDrop: MlflowDropCounter,
): SpanProcessor {
  const inner = new MlflowSpanExporter(destination, onDrop);
  const exporter: SpanExporter = {
    export: (spans, done) => {
      guard.release(spans.length);
      inner.export(spans, done);
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  const { maxQueueSize, scheduleDelayMs } = settings.batch;
  return new BatchSpanProcessor(exporter, {
    maxQueueSize,
    maxExportBatchSize: Math.min(512, maxQueueSize),
    scheduledDelayMillis: scheduleDelayMs,
    // A batch waits at most for its request's timeout; then the exporter fails and counts it.
    exportTimeoutMillis: destination.timeoutMs + 1000,
  });
}

/**
 * The processor of MLflow traces for `settings`: returned at once; it starts sending when the
 * experiment's id is resolved (retried with backoff while MLflow is unreachable, given up on a
 * refusal: logged, and the spans are dropped and counted).
 *
 * @throws the `MlflowConfigError` of `@llm-otel/mlflow` for a bad connection setting (half a basic-auth pair, a bad timeout).
 */
export async function startMlflowSpanProcessor(
  settings: MlflowTracesSettings,
  onDrop: MlflowDropCounter,
): Promise<MlflowSpanProcessor> {
  const mlflow = await import('@llm-otel/mlflow');
  const connection = mlflow.resolveConnection({ trackingUri: settings.trackingUri }, settings.env);
  if (connection === undefined) throw new Error('MLFLOW_TRACKING_URI is not set');
  const client = new mlflow.MlflowClient(connection);
  const abort = new AbortController();
  const guard = new QueueGuard(settings.batch.maxQueueSize, () => onDrop(1));
  // An exiting app waits for the experiment about as long as for one export.
  const processor = new MlflowSpanProcessor(guard, onDrop, () => abort.abort(), connection.timeoutMs);
  mlflow
    .resolveExperimentId(
      client,
      {
        signal: abort.signal,
        onUnreachable: (error) =>
          diag.warn(
            `@llm-otel/node: MLflow does not answer yet (${error.message}); the calls' spans wait (bounded) until the experiment is known`,
          ),
      },
      settings.env,
    )
    .then(
      (experimentId) => {
        const destination = mlflow.traceDestinationOf(connection, experimentId);
        processor.attach(batchTo(destination, settings, guard, onDrop));
        diag.debug(`@llm-otel/node: the calls' traces go to MLflow experiment ${experimentId} (${destination.url})`);
      },
      (error: unknown) => {
        if (!abort.signal.aborted)
          diag.error(
            `@llm-otel/node: the MLflow experiment of the calls' traces could not be resolved; no traces go to MLflow: ${String(error)}`,
          );
        processor.close();
      },
    );
  return processor;
}
