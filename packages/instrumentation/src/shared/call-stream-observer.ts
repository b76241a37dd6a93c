import { type CallMeter, streamFailure } from './call-meter.js';
import { safely } from './safe.js';
import { listenForAbort, type StreamObserver } from './stream-watch.js';

/** What a {@link callStreamObserver} needs of the stream's reader. */
export interface SettlingReader {
  /** Sees an item before the app; returns false to withhold it. Runs for every item. */
  read(item: unknown): boolean;
  /** Takes usage, model, completion (and the assembled text) from what was seen, before the record. */
  settle(): void;
}

/**
 * The observer that records one streamed call once, whichever way the stream settles: at the end
 * (`aborted` if `signal` aborted before the answer completed, as clients then end a stream
 * quietly), on an error (as `failure` names it), when the app stops reading (`aborted` unless the
 * answer was complete), or when `signal` aborts while nobody reads (listened for from now on).
 */
export function callStreamObserver(
  meter: CallMeter,
  reader: SettlingReader,
  signal: unknown,
  component: string,
  failure: (error: unknown) => unknown = streamFailure,
): StreamObserver<unknown> {
  const stopListening = listenForAbort(signal, () =>
    safely(component, () => {
      reader.settle();
      meter.finish('aborted');
    }),
  );
  const aborted = (): boolean => (signal as AbortSignal | undefined)?.aborted === true;
  return {
    onItem: (item) => reader.read(item),
    onEnd: () => {
      stopListening();
      reader.settle();
      meter.finish(aborted() && !meter.completed ? 'aborted' : undefined);
    },
    onError: (error) => {
      stopListening();
      reader.settle();
      meter.finish(failure(error));
    },
    onAbandon: () => {
      stopListening();
      reader.settle();
      meter.finish(meter.completed ? undefined : 'aborted');
    },
  };
}
