import { readAnthropicUsage } from '../anthropic/usage.js';
import type { CallMeter } from '../shared/call-meter.js';
import { field, nonEmptyString } from '../shared/safe.js';
import { invokeModelInput, invokeModelOutput } from './content.js';
import { invokeOperationName, isAnthropicInvoke, parseJsonBytes } from './invoke-body.js';
import type { BedrockOperation } from './operation.js';

/**
 * `InvokeModel` (`InvokeModelCommand`): the body is the model family's own. An Anthropic model's is
 * Anthropic's `message` (model, id, usage, stop reason), read with the Anthropic client's usage
 * reader; the body of another family is not parsed and the call is recorded without tokens.
 */
export const invokeModel: BedrockOperation = {
  component: 'bedrock.invoke_model',
  operationName: invokeOperationName,
  inputMessages: invokeModelInput,
  readOutput(output: unknown, input: unknown, meter: CallMeter): void {
    if (!isAnthropicInvoke(input)) return;
    const message = parseJsonBytes(field(output, 'body'));
    meter.responseModel = nonEmptyString(field(message, 'model'));
    meter.responseId = nonEmptyString(field(message, 'id'));
    readAnthropicUsage(field(message, 'usage'), meter);
    const reason = nonEmptyString(field(message, 'stop_reason'));
    if (reason !== undefined) meter.finishReasons = [reason];
    if (meter.capturesContent) meter.captureOutput(output, (value) => invokeModelOutput(value, input));
  },
};
