import type { CallEvent, CallEventSink } from '@llm-otel/core';
import { type Context, context } from '@opentelemetry/api';
import type { Logger, LogRecord } from '@opentelemetry/api-logs';

/** Scope name of the per-call log records. */
export const CALL_EVENT_LOGGER_NAME = '@llm-otel/node';

function toLogRecord(event: CallEvent, ctx: Context, timestamp?: number): LogRecord {
  return {
    eventName: event.eventName,
    severityNumber: event.severityNumber,
    severityText: event.severityText,
    // CallEventValue is the logs API's AnyValue, read-only.
    attributes: event.attributes as LogRecord['attributes'],
    context: ctx,
    ...(timestamp !== undefined ? { timestamp } : {}),
  };
}

/**
 * The sink register() gives core: each call's event becomes one log record, emitted in the
 * context of the call's span (or the caller's context when the call has none) so that it carries
 * that trace and span id. register() returns before the
 * logs SDK has loaded (it loads in the background); the events of that moment wait in a bounded
 * list, with their context and time, and are written once the logger is attached.
 */
export class CallEventLogger implements CallEventSink {
  private logger: Logger | undefined;
  private pending: Array<{ event: CallEvent; ctx: Context; time: number }> | undefined = [];

  /**
   * @param capacity Events kept while the SDK loads; beyond it they are dropped and `onDrop` runs.
   */
  constructor(
    private readonly capacity: number,
    private readonly onDrop: () => void,
  ) {}

  /** `spanContext`: the context of the call's own span, when it has one (core passes it). */
  emit(event: CallEvent, spanContext?: Context): void {
    const ctx = spanContext ?? context.active();
    const logger = this.logger;
    if (logger !== undefined) {
      logger.emit(toLogRecord(event, ctx));
      return;
    }
    const pending = this.pending;
    if (pending === undefined) return;
    if (pending.length < this.capacity) pending.push({ event, ctx, time: Date.now() });
    else this.onDrop();
  }

  /** Writes the events that waited, then every new one, to `logger`. */
  attach(logger: Logger): void {
    const pending = this.pending ?? [];
    this.pending = undefined;
    this.logger = logger;
    for (const { event, ctx, time } of pending) logger.emit(toLogRecord(event, ctx, time));
  }

  /** Stops writing (after shutdown, or when the SDK could not load); waiting events are dropped. */
  close(): void {
    this.logger = undefined;
    this.pending = undefined;
  }

  /** Events waiting for the SDK. */
  get waiting(): number {
    return this.pending?.length ?? 0;
  }
}
