import type { CallMeter } from '../shared/call-meter.js';
import { field, nonEmptyString } from '../shared/safe.js';
import { converseInput, converseOutput } from './content.js';
import type { BedrockOperation } from './operation.js';
import { readConverseUsage } from './usage.js';

/**
 * `Converse` (`ConverseCommand`, `BedrockRuntime.converse()`): usage and stop reason from the
 * output. Converse names no response model and no response id.
 */
export const converse: BedrockOperation = {
  component: 'bedrock.converse',
  operationName: () => 'chat',
  inputMessages: converseInput,
  readOutput(output: unknown, _input: unknown, meter: CallMeter): void {
    readConverseUsage(field(output, 'usage'), meter);
    const reason = nonEmptyString(field(output, 'stopReason'));
    if (reason !== undefined) meter.finishReasons = [reason];
    meter.captureOutput(output, converseOutput);
  },
};
