import { MessageEventReader } from '../anthropic/stream.js';
import type { CallMeter } from '../shared/call-meter.js';
import { field } from '../shared/safe.js';
import { invokeModelInput } from './content.js';
import type { BedrockEventReader } from './event-stream.js';
import { invokeOperationName, isAnthropicInvoke, parseJsonBytes } from './invoke-body.js';
import type { BedrockOperation } from './operation.js';

/**
 * The chunks of an Anthropic model's stream: each `{ chunk: { bytes } }` holds one event of
 * Anthropic's Messages stream as JSON, read by the Anthropic client's event reader (first
 * `content_block_delta` is the first token, `message_start` the input side of the usage,
 * `message_delta` the cumulative output tokens and the stop reason).
 */
class AnthropicChunkReader implements BedrockEventReader {
  private readonly events: MessageEventReader;

  constructor(meter: CallMeter, captureText: boolean) {
    this.events = new MessageEventReader(meter, captureText);
  }

  read(event: unknown): void {
    const parsed = parseJsonBytes(field(field(event, 'chunk'), 'bytes'));
    if (parsed !== undefined) this.events.read(parsed);
  }

  settle(): void {
    this.events.settle();
  }
}

/** Another family's chunks are not parsed: the first chunk is the first token, no tokens. */
class OpaqueChunkReader implements BedrockEventReader {
  constructor(private readonly meter: CallMeter) {}

  read(event: unknown): void {
    if (this.meter.firstTokenAt === undefined && field(event, 'chunk') !== undefined) this.meter.markFirstToken();
  }

  settle(): void {}
}

/**
 * `InvokeModelWithResponseStream` (`InvokeModelWithResponseStreamCommand`): the chunks of the
 * output's `body`. Anthropic models' chunks are read for usage, stop reason, model and id; another
 * family's are recorded without tokens.
 */
export const invokeModelStream: BedrockOperation = {
  component: 'bedrock.invoke_model_stream',
  operationName: invokeOperationName,
  inputMessages: invokeModelInput,
  streamField: 'body',
  streamReader: (meter, input, captureText) =>
    isAnthropicInvoke(input) ? new AnthropicChunkReader(meter, captureText) : new OpaqueChunkReader(meter),
};
