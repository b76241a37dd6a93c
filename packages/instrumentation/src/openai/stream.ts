import type { CallMeter } from '../shared/call-meter.js';
import { instrumentClientStream, isClientStream, type StreamItemReader } from '../shared/client-stream.js';

/**
 * Reads the chunks of one streamed call (the first content chunk, the last chunk, withholding what
 * we added); it always says whether the usage chunk is still to come after the app stopped reading.
 */
export interface ChunkReader extends StreamItemReader {
  /** After the app stopped reading: whether the next chunk is the usage chunk (usage asked for, not seen yet). */
  usagePending(): boolean;
}

/** Whether a parsed openai value is a `Stream` (something iterable with an async iterator). */
export const isOpenAIStream = isClientStream;

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
  instrumentClientStream(stream, meter, reader, component);
}
