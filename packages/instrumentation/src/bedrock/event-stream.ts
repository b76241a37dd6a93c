import { type CallMeter, streamFailure } from '../shared/call-meter.js';
import { safely } from '../shared/safe.js';
import { listenForAbort, type StreamObserver, watchAsyncIterator } from '../shared/stream-watch.js';
import { bedrockFailure } from './error-type.js';

/** Reads the events of one streamed Bedrock call (ConverseStream's, or InvokeModel's chunks). */
export interface BedrockEventReader {
  /** Sees each event before the app does; never changes it. */
  read(event: unknown): void;
  /** Puts what was read into the meter (usage, stop reason, text), once, when the stream settles. */
  settle(): void;
  /** The app stopped after the answer completed but before the usage came: read one more event. */
  wantsOneMore?(): boolean;
}

/**
 * Measures the event stream of a streamed output in place: the SDK gives a plain object whose
 * `Symbol.asyncIterator` decodes the HTTP body; that function is wrapped on this object only, through
 * the shared stream helper, so the app iterates the same object and gets the same events and
 * errors. The first iteration is measured (the body can be read once).
 *
 * The call is recorded once: at the end; on an error (an exception event such as
 * `ThrottlingException` or `ModelStreamErrorException` by its name, an abort as `aborted`, else
 * `stream_error`); when the app stops reading (`aborted` unless the answer had completed: Converse's
 * `messageStop`, Anthropic's stop reason); or when the request's `abortSignal` aborts while nobody
 * reads.
 */
export function instrumentEventStream(
  stream: unknown,
  meter: CallMeter,
  reader: BedrockEventReader,
  abortSignal: unknown,
  component: string,
): void {
  meter.streamed = true;
  if (typeof stream !== 'object' || stream === null) {
    meter.finish();
    return;
  }
  const original = (stream as Record<symbol, unknown>)[Symbol.asyncIterator];
  if (typeof original !== 'function') {
    meter.finish();
    return;
  }
  const settle = (error?: unknown): void => {
    stopListening();
    reader.settle();
    meter.finish(error);
  };
  const stopListening = listenForAbort(abortSignal, () => safely(component, () => settle('aborted')));
  const observer: StreamObserver<unknown> = {
    onItem: (event) => {
      reader.read(event);
      return true;
    },
    onEnd: () => settle(),
    onError: (error) => {
      const failure = bedrockFailure(error);
      settle(typeof failure === 'string' ? failure : streamFailure(failure));
    },
    onAbandon: () => settle(meter.completed ? undefined : 'aborted'),
    wantsOneMore: () => reader.wantsOneMore?.() === true,
  };
  let started = false;
  const measured = function (this: unknown, ...args: unknown[]): AsyncIterator<unknown> {
    const source = (original as (...a: unknown[]) => AsyncIterator<unknown>).apply(this, args);
    if (started) return source;
    started = true;
    return safely(component, () => watchAsyncIterator(source, observer, component), source);
  };
  const own = Object.getOwnPropertyDescriptor(stream, Symbol.asyncIterator);
  Object.defineProperty(stream, Symbol.asyncIterator, {
    value: measured,
    writable: true,
    configurable: true,
    enumerable: own?.enumerable ?? false,
  });
}
