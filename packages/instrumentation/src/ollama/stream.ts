import { type CallMeter, streamFailure } from '../shared/call-meter.js';
import type { ContentKind } from '../shared/content-kind.js';
import { safely } from '../shared/safe.js';
import { listenForAbort, watchAsyncIterator } from '../shared/stream-watch.js';
import { readOllamaCounters } from './counters.js';

interface AbortableIteratorLike {
  abortController?: { signal?: unknown };
  [Symbol.asyncIterator]?: (...args: unknown[]) => AsyncIterator<unknown>;
}

/**
 * Measures ollama's `AbortableAsyncIterator` in place, so the app keeps the same object with its
 * `abort()`: an own `[Symbol.asyncIterator]` on this instance wraps the class's one for the first
 * iteration. The final `done` chunk gives the counters; an `abort()` (of this stream or of the
 * client's `abort()`) records `aborted`, also when nobody is reading. Returns false when `stream`
 * is not iterable.
 */
export function instrumentOllamaStream(
  stream: unknown,
  meter: CallMeter,
  chunkContent: ((chunk: unknown) => ContentKind) | undefined,
  component: string,
): boolean {
  const s = stream as AbortableIteratorLike | undefined;
  const original = s?.[Symbol.asyncIterator];
  if (s === undefined || typeof original !== 'function') return false;
  meter.streamed = true;
  const stopListening = listenForAbort(s.abortController?.signal, () =>
    safely(component, () => meter.finish('aborted')),
  );
  const observer = {
    onItem: (chunk: unknown): boolean => {
      if (meter.firstTokenAt === undefined) {
        const kind = chunkContent?.(chunk);
        if (kind !== undefined) meter.markFirstToken(kind === 'reasoning');
      }
      if ((chunk as { done?: unknown } | null)?.done === true) {
        meter.completed = true;
        readOllamaCounters(chunk, meter);
      }
      return true;
    },
    onEnd: () => {
      stopListening();
      meter.finish();
    },
    onError: (error: unknown) => {
      stopListening();
      meter.finish(streamFailure(error));
    },
    onAbandon: () => {
      stopListening();
      meter.finish(meter.completed ? undefined : 'aborted');
    },
  };
  let started = false;
  Object.defineProperty(s, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: unknown[]): AsyncIterator<unknown> {
      const source = original.apply(this, args);
      if (started) return source;
      started = true;
      return safely(component, () => watchAsyncIterator(source, observer, component), source);
    },
  });
  return true;
}
