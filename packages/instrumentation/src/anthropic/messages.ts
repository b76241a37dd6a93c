import type { CallMeter } from '../shared/call-meter.js';
import { field, nonEmptyString } from '../shared/safe.js';
import { anthropicInput, anthropicOutput } from './content.js';
import type { AnthropicOperation } from './operation.js';
import { MessageEventReader } from './stream.js';
import { readAnthropicUsage } from './usage.js';

function readMessage(message: unknown, meter: CallMeter): void {
  meter.responseModel = nonEmptyString(field(message, 'model'));
  meter.responseId = nonEmptyString(field(message, 'id'));
  readAnthropicUsage(field(message, 'usage'), meter);
  const reason = nonEmptyString(field(message, 'stop_reason'));
  if (reason !== undefined) meter.finishReasons = [reason];
}

/**
 * `messages.create`, plain and `stream: true`; also behind `messages.parse()` and the
 * `messages.stream()` helper, which call it (so each is counted once). Usage, model, id and stop
 * reason come from the `message`, in streams from its events (see stream.ts).
 */
export const messagesCreate: AnthropicOperation = {
  operationName: 'chat',
  component: 'anthropic.messages.create',
  readResult: readMessage,
  streamReader: (meter, captureText) => new MessageEventReader(meter, captureText),
  inputMessages: anthropicInput,
  outputMessages: anthropicOutput,
};

/** `beta.messages.create`, read like `messages.create` (also behind its `parse()`, `stream()` and tool runner). */
export const betaMessagesCreate: AnthropicOperation = {
  ...messagesCreate,
  component: 'anthropic.beta.messages.create',
};
