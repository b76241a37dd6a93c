import type { CallMeter } from '../shared/call-meter.js';
import { nonEmpty } from '../shared/content-kind.js';
import { field, nonEmptyString } from '../shared/safe.js';
import { StreamText } from '../shared/stream-text.js';
import { converseInput } from './content.js';
import type { BedrockEventReader } from './event-stream.js';
import type { BedrockOperation } from './operation.js';
import { readConverseUsage } from './usage.js';

/**
 * Reads ConverseStream's events (`{ messageStart }`, `{ contentBlockDelta }`, `{ messageStop }`,
 * `{ metadata }`, ...): the first `contentBlockDelta` with text, a tool call's input or reasoning
 * text is the first token; `messageStop` carries the stop reason (the answer is then complete),
 * `metadata` the usage, read once in `settle()`.
 */
class ConverseEventReader implements BedrockEventReader {
  private usage: unknown;
  private stopReason: unknown;
  private readonly text: StreamText | undefined;

  constructor(
    private readonly meter: CallMeter,
    captureText: boolean,
  ) {
    this.text = captureText ? new StreamText() : undefined;
  }

  read(event: unknown): void {
    const blockDelta = field(event, 'contentBlockDelta');
    const delta = field(blockDelta, 'delta');
    if (delta !== undefined) {
      const text = field(delta, 'text');
      if (this.meter.firstTokenAt === undefined) {
        if (nonEmpty(text) || nonEmpty(field(field(delta, 'toolUse'), 'input'))) this.meter.markFirstToken();
        else if (nonEmpty(field(field(delta, 'reasoningContent'), 'text'))) this.meter.markFirstToken(true);
      }
      this.text?.append(text);
      // A tool call's input comes as pieces of its JSON text (only assembled while content is captured).
      this.meter.streamToolCalls?.note(
        field(blockDelta, 'contentBlockIndex'),
        undefined,
        undefined,
        field(field(delta, 'toolUse'), 'input'),
      );
      return;
    }
    const start = field(event, 'contentBlockStart');
    if (start !== undefined) {
      const toolUse = field(field(start, 'start'), 'toolUse');
      if (toolUse !== undefined)
        this.meter.streamToolCalls?.note(
          field(start, 'contentBlockIndex'),
          field(toolUse, 'toolUseId'),
          field(toolUse, 'name'),
          undefined,
        );
      return;
    }
    const stop = field(event, 'messageStop');
    if (stop !== undefined) {
      this.stopReason = field(stop, 'stopReason');
      this.meter.completed = true;
      return;
    }
    const metadata = field(event, 'metadata');
    if (metadata !== undefined) this.usage = field(metadata, 'usage');
  }

  wantsOneMore(): boolean {
    return this.meter.completed && this.usage === undefined;
  }

  settle(): void {
    readConverseUsage(this.usage, this.meter);
    const reason = nonEmptyString(this.stopReason);
    if (reason !== undefined) this.meter.finishReasons = [reason];
    if (this.text !== undefined) this.meter.setStreamText(this.text.value);
  }
}

/** `ConverseStream` (`ConverseStreamCommand`): the events of the output's `stream`; usage from `metadata`. */
export const converseStream: BedrockOperation = {
  component: 'bedrock.converse_stream',
  operationName: () => 'chat',
  inputMessages: converseInput,
  streamField: 'stream',
  streamReader: (meter, _input, captureText) => new ConverseEventReader(meter, captureText),
};
