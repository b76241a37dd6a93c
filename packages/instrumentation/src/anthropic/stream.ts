import { type CallMeter, streamFailure } from '../shared/call-meter.js';
import { instrumentClientStream, isClientStream } from '../shared/client-stream.js';
import { type ContentKind, nonEmpty } from '../shared/content-kind.js';
import { field, nonEmptyString } from '../shared/safe.js';
import { StreamText } from '../shared/stream-text.js';
import { anthropicFailure } from './error-type.js';
import { readAnthropicUsage, streamUsage } from './usage.js';

/** What a `content_block_delta` carries: text or a tool call's input is content, thinking is reasoning. */
function deltaContent(delta: unknown): ContentKind {
  const type = field(delta, 'type');
  if (type === 'text_delta') return nonEmpty(field(delta, 'text')) ? 'content' : undefined;
  if (type === 'thinking_delta') return nonEmpty(field(delta, 'thinking')) ? 'reasoning' : undefined;
  if (type === 'input_json_delta') return nonEmpty(field(delta, 'partial_json')) ? 'content' : undefined;
  return undefined;
}

/**
 * Reads the events of a streamed message. Per event it does the least it can: the first
 * `content_block_delta` with text (or thinking, or a tool call's input) is the first token;
 * `message_start` (model, id, the input side of the usage), `message_delta` (stop reason, the
 * cumulative output tokens; with a stop reason the answer is complete) and `message_stop` are kept;
 * the usage is read
 * once, in `settle()`. A stream cut before `message_delta` records what `message_start` said.
 */
export class MessageEventReader {
  private start: unknown;
  private deltaUsage: unknown;
  private stopReason: unknown;
  private readonly text: StreamText | undefined;

  constructor(
    private readonly meter: CallMeter,
    captureText: boolean,
  ) {
    this.text = captureText ? new StreamText() : undefined;
  }

  read(event: unknown): boolean {
    const type = field(event, 'type');
    if (type === 'content_block_delta') {
      const meter = this.meter;
      if (meter.firstTokenAt === undefined) {
        const kind = deltaContent(field(event, 'delta'));
        if (kind !== undefined) meter.markFirstToken(kind === 'reasoning');
      }
      if (this.text !== undefined) {
        const delta = field(event, 'delta');
        if (field(delta, 'type') === 'text_delta') this.text.append(field(delta, 'text'));
        else if (field(delta, 'type') === 'input_json_delta')
          this.meter.streamToolCalls?.note(field(event, 'index'), undefined, undefined, field(delta, 'partial_json'));
      }
    } else if (type === 'content_block_start') {
      // Content capture: a tool use block's id and name (its input follows in input_json_deltas).
      const toolCalls = this.meter.streamToolCalls;
      const block = field(event, 'content_block');
      if (toolCalls !== undefined && field(block, 'type') === 'tool_use')
        toolCalls.note(field(event, 'index'), field(block, 'id'), field(block, 'name'), undefined);
    } else if (type === 'message_start') {
      this.start = field(event, 'message');
    } else if (type === 'message_delta') {
      this.deltaUsage = field(event, 'usage');
      this.stopReason = field(field(event, 'delta'), 'stop_reason');
      // The answer is complete once it says why it stopped (an app may stop reading here).
      if (this.stopReason != null) this.meter.completed = true;
    } else if (type === 'message_stop') {
      this.meter.completed = true;
    }
    return true;
  }

  settle(): void {
    const meter = this.meter;
    const start = this.start;
    if (meter.responseModel === undefined) meter.responseModel = nonEmptyString(field(start, 'model'));
    if (meter.responseId === undefined) meter.responseId = nonEmptyString(field(start, 'id'));
    readAnthropicUsage(streamUsage(field(start, 'usage'), this.deltaUsage), meter);
    const reason = nonEmptyString(this.stopReason);
    if (reason !== undefined) meter.finishReasons = [reason];
    if (this.text !== undefined) meter.setStreamText(this.text.value);
  }
}

/** Whether a parsed value is the client's `Stream` (something with an async iterator). */
export const isAnthropicStream = isClientStream;

/** An error type named by the event's body, else the error as the shared helper classifies it. */
function messageStreamFailure(error: unknown): unknown {
  const failure = anthropicFailure(error);
  return typeof failure === 'string' ? failure : streamFailure(failure);
}

/**
 * Measures the client's `Stream` of message events in place: the object, its class, `controller`,
 * `tee()` and `toReadableStream()` stay as they are. The Stream reads its source through its own
 * `iterator` function (used by `[Symbol.asyncIterator]`, `tee()` and `toReadableStream()`, and by
 * the `messages.stream()` helper's `MessageStream`, which iterates it), so that is wrapped on this
 * instance, through the shared stream helper; the first iteration is measured, a second one (which
 * the client refuses) passes through.
 *
 * The call is recorded once: at the end (`aborted` if the controller was aborted before the
 * answer completed: the client then ends the stream quietly), on an error (an `error` event such as
 * `overloaded_error` by its type), when the app stops reading (`aborted` unless the `message_delta`
 * with the stop reason, or `message_stop`, was seen), or when the controller aborts while nobody reads (`stream.controller.abort()`, an
 * `AbortSignal` of the request, `MessageStream.abort()`).
 */
export function instrumentAnthropicStream(
  stream: unknown,
  meter: CallMeter,
  reader: MessageEventReader,
  component: string,
): void {
  instrumentClientStream(stream, meter, reader, component, messageStreamFailure);
}
