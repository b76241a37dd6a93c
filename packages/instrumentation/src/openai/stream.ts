import { type CallMeter, streamFailure } from '../shared/call-meter.js';
import { safely } from '../shared/safe.js';
import { listenForAbort, type StreamObserver, watchAsyncIterator } from '../shared/stream-watch.js';

/**
 * Reads the chunks of one streamed call. `read` runs for every chunk and does the least it can
 * (the first content chunk, the last chunk, withholding what we added); `settle` reads what the
 * last chunks said (usage, model, whether the stream completed) once, before the call is recorded.
 */
export interface ChunkReader {
  /** Sees a chunk before the app; returns false to withhold it. */
  read(chunk: unknown): boolean;
  /** Takes usage, model, completion (and the assembled text) from what was seen. */
  settle(): void;
  /** After the app stopped reading: whether the next chunk is the usage chunk (usage asked for, not seen yet). */
  usagePending(): boolean;
}

interface OpenAIStreamLike {
  iterator?: (...args: unknown[]) => AsyncIterator<unknown>;
  controller?: { signal?: unknown; abort?: () => void };
  [Symbol.asyncIterator]?: (...args: unknown[]) => AsyncIterator<unknown>;
}

/** Whether a parsed openai value is a `Stream` (something iterable with an async iterator). */
export function isOpenAIStream(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as OpenAIStreamLike)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Measures an openai `Stream` in place: the object, its class, `controller`, `tee()` and
 * `toReadableStream()` stay as they are. openai's Stream reads its source through its own
 * `iterator` method (used by `[Symbol.asyncIterator]`, `tee()` and `toReadableStream()`), so that
 * method is wrapped on this instance; the first iteration is measured, a second one (which openai
 * refuses) passes through. Streams of old 4.x releases without `iterator` get an own
 * `[Symbol.asyncIterator]` instead.
 *
 * The call is recorded once: at the end (as `aborted` if the controller was aborted, since openai
 * then ends the stream quietly), on an error, when the app stops reading (`aborted`, unless the
 * terminal chunk was already seen; if usage was asked for and its chunk is next, that one chunk is
 * read first), or when the controller aborts while nobody reads.
 */
export function instrumentOpenAIStream(
  stream: unknown,
  meter: CallMeter,
  reader: ChunkReader,
  component: string,
): void {
  const s = stream as OpenAIStreamLike;
  meter.streamed = true;
  const controller = s.controller;
  const signal = controller?.signal;
  const stopListening = listenForAbort(signal, () =>
    safely(component, () => {
      reader.settle();
      meter.finish('aborted');
    }),
  );
  const aborted = (): boolean => (signal as AbortSignal | undefined)?.aborted === true;
  const observer: StreamObserver<unknown> = {
    onItem: (chunk) => reader.read(chunk),
    onEnd: () => {
      stopListening();
      reader.settle();
      meter.finish(aborted() && !meter.completed ? 'aborted' : undefined);
    },
    onError: (error) => {
      stopListening();
      reader.settle();
      meter.finish(streamFailure(error));
    },
    onAbandon: () => {
      stopListening();
      reader.settle();
      meter.finish(meter.completed ? undefined : 'aborted');
    },
    wantsOneMore: () => reader.usagePending(),
    cutShort: () => controller?.abort?.(),
  };

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
