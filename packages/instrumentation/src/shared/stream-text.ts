/**
 * The longest streamed text assembled for evaluators, in UTF-16 code units (about 32 KB of ASCII,
 * 64 KB of memory): the rest of a longer answer is dropped, so a stream never holds more than this.
 */
export const MAX_STREAM_TEXT_CHARS = 32_768;

/**
 * The text of a stream, assembled from its chunks for evaluators (who are documented to receive it
 * as the call's `response`), bounded by {@link MAX_STREAM_TEXT_CHARS}. Streams assemble it only
 * while an evaluator is registered.
 */
export class StreamText {
  value = '';

  /** Appends a piece of content; anything but a non-empty string is ignored. */
  append(piece: unknown): void {
    if (typeof piece !== 'string' || piece.length === 0) return;
    const room = MAX_STREAM_TEXT_CHARS - this.value.length;
    if (room <= 0) return;
    this.value += piece.length <= room ? piece : piece.slice(0, room);
  }
}
