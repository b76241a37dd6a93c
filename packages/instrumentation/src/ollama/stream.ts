import { getEvaluators } from '@llm-otel/core';
import { type CallMeter, streamFailure } from '../shared/call-meter.js';
import type { ContentKind } from '../shared/content-kind.js';
import { field, safely } from '../shared/safe.js';
import { StreamText } from '../shared/stream-text.js';
import { listenForAbort, type StreamObserver, watchAsyncIterator } from '../shared/stream-watch.js';
import { readOllamaCounters } from './counters.js';
import type { OllamaOperation } from './operation.js';

interface AbortableIteratorLike {
  abortController?: { signal?: unknown };
  [Symbol.asyncIterator]?: (...args: unknown[]) => AsyncIterator<unknown>;
}

/**
 * Reads the chunks of an Ollama stream. Per chunk it only looks for the first content chunk (until
 * found) and keeps the last chunk; the final `done` chunk's counters are read once, in `settle()`.
 */
class OllamaStreamReader {
  private last: unknown;
  private readonly text: StreamText | undefined;

  constructor(
    private readonly meter: CallMeter,
    private readonly content: (chunk: unknown) => ContentKind,
    private readonly textOf: ((chunk: unknown) => unknown) | undefined,
  ) {
    // Evaluators are documented to get a stream's text, and the captured content holds it: assembled
    // only while an evaluator is registered or content capture is on.
    this.text =
      textOf !== undefined && (getEvaluators().active || meter.capturesContent) ? new StreamText() : undefined;
  }

  read(chunk: unknown): boolean {
    if (this.meter.firstTokenAt === undefined) {
      const kind = this.content(chunk);
      if (kind !== undefined) this.meter.markFirstToken(kind === 'reasoning');
    }
    this.last = chunk;
    if (this.text !== undefined && this.textOf !== undefined) this.text.append(this.textOf(chunk));
    return true;
  }

  settle(): void {
    const last = this.last;
    if (field(last, 'done') === true) {
      this.meter.completed = true;
      readOllamaCounters(last, this.meter);
    }
    if (this.text !== undefined) this.meter.setStreamText(this.text.value);
  }
}

/**
 * Measures ollama's `AbortableAsyncIterator` in place, so the app keeps the same object with its
 * `abort()`: an own `[Symbol.asyncIterator]` on this instance wraps the class's one for the first
 * iteration. The final `done` chunk gives the counters; an `abort()` (of this stream or of the
 * client's `abort()`) records `aborted`, also when nobody is reading. Returns false when `stream`
 * is not iterable or the operation has no streams.
 */
export function instrumentOllamaStream(stream: unknown, meter: CallMeter, op: OllamaOperation): boolean {
  const s = stream as AbortableIteratorLike | undefined;
  const original = s?.[Symbol.asyncIterator];
  const content = op.chunkContent;
  if (s === undefined || typeof original !== 'function' || content === undefined) return false;
  const component = op.component;
  meter.streamed = true;
  const reader = new OllamaStreamReader(meter, content, op.chunkText);
  const stopListening = listenForAbort(s.abortController?.signal, () =>
    safely(component, () => {
      reader.settle();
      meter.finish('aborted');
    }),
  );
  const observer: StreamObserver<unknown> = {
    onItem: (chunk) => reader.read(chunk),
    onEnd: () => {
      stopListening();
      reader.settle();
      meter.finish();
    },
    onError: (error: unknown) => {
      stopListening();
      reader.settle();
      meter.finish(streamFailure(error));
    },
    onAbandon: () => {
      stopListening();
      reader.settle();
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
