import type { CallMeter } from './call-meter.js';
import { callStreamObserver, type SettlingReader } from './call-stream-observer.js';
import { safely } from './safe.js';
import { watchAsyncIterator } from './stream-watch.js';

/**
 * Reads the items of one streamed call. `read` runs for every item and does the least it can;
 * `settle` reads what the items said (usage, model, whether the answer completed) once, before the
 * call is recorded.
 */
export interface StreamItemReader extends SettlingReader {
  /**
   * After the app stopped reading: whether one more item should be read first (openai's usage
   * chunk, asked for and not seen yet). Without it the source is closed at once.
   */
  usagePending?(): boolean;
}

/** The `Stream` class the openai and anthropic clients share (both come from the same generator). */
interface ClientStreamLike {
  iterator?: (...args: unknown[]) => AsyncIterator<unknown>;
  controller?: { signal?: unknown; abort?: () => void };
  [Symbol.asyncIterator]?: (...args: unknown[]) => AsyncIterator<unknown>;
}

/** Whether a parsed value is such a client `Stream` (something with an async iterator). */
export function isClientStream(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ClientStreamLike)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Measures a client `Stream` in place: the object, its class, `controller`, `tee()` and
 * `toReadableStream()` stay as they are. The Stream reads its source through its own `iterator`
 * method (used by `[Symbol.asyncIterator]`, `tee()` and `toReadableStream()`), so that method is
 * wrapped on this instance; the first iteration is measured, a second one (which the client refuses)
 * passes through. Streams without `iterator` (old openai 4.x) get an own `[Symbol.asyncIterator]`.
 *
 * The call is recorded once: at the end (`aborted` if the controller was aborted before the answer
 * completed, since the client then ends the stream quietly), on an error (as `failure` names it;
 * the shared `streamFailure` by default),
 * when the app stops reading (`aborted` unless the answer was complete; if `reader.usagePending()`
 * says so, one more item is read first), or when the controller aborts while nobody reads.
 */
export function instrumentClientStream(
  stream: unknown,
  meter: CallMeter,
  reader: StreamItemReader,
  component: string,
  failure?: (error: unknown) => unknown,
): void {
  const s = stream as ClientStreamLike;
  meter.streamed = true;
  const controller = s.controller;
  const observer = callStreamObserver(meter, reader, controller?.signal, component, failure);
  if (typeof reader.usagePending === 'function') {
    observer.wantsOneMore = () => reader.usagePending?.() === true;
    observer.cutShort = () => controller?.abort?.();
  }

  const key = typeof s.iterator === 'function' ? 'iterator' : Symbol.asyncIterator;
  const original = s[key as 'iterator'];
  if (typeof original !== 'function') return;
  let started = false;
  const measured = function (this: unknown, ...args: unknown[]): AsyncIterator<unknown> {
    const source = original.apply(this, args);
    if (started) return source;
    started = true;
    return safely(component, () => watchAsyncIterator(source, observer, component), source);
  };
  Object.defineProperty(s, key, {
    value: measured,
    writable: true,
    configurable: true,
    enumerable: key === 'iterator',
  });
}
