import { field, nonEmptyString } from '../shared/safe.js';
import { ChoiceStreamReader, chatChoices } from './choice-stream.js';
import { chatInput, chatOutput } from './content.js';
import type { OpenAIOperation } from './operation.js';
import { readChoiceDetails } from './response-details.js';
import { readOpenAIUsage } from './usage.js';

/** `chat.completions.create`, plain and streamed (also behind `parse()`, `stream()`, `runTools()`). */
export const chatCompletionsCreate: OpenAIOperation = {
  operationName: 'chat',
  component: 'openai.chat.completions.create',
  streamUsage: true,
  readResult(result, meter) {
    meter.responseModel = nonEmptyString(field(result, 'model'));
    readOpenAIUsage(field(result, 'usage'), meter);
    readChoiceDetails(result, meter);
  },
  streamReader: (meter, options) => new ChoiceStreamReader(meter, chatChoices, options),
  inputMessages: chatInput,
  outputMessages: chatOutput,
};
