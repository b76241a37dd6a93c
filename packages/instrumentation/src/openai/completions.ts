import { field, nonEmptyString } from '../shared/safe.js';
import { ChoiceStreamReader, completionChoices } from './choice-stream.js';
import { completionInput, completionOutput } from './content.js';
import type { OpenAIOperation } from './operation.js';
import { readChoiceDetails } from './response-details.js';
import { readOpenAIUsage } from './usage.js';

/** The legacy `completions.create`, plain and streamed. */
export const completionsCreate: OpenAIOperation = {
  operationName: 'text_completion',
  component: 'openai.completions.create',
  streamUsage: true,
  readResult(result, meter) {
    meter.responseModel = nonEmptyString(field(result, 'model'));
    readOpenAIUsage(field(result, 'usage'), meter);
    readChoiceDetails(result, meter);
  },
  streamReader: (meter, options) => new ChoiceStreamReader(meter, completionChoices, options),
  inputMessages: completionInput,
  outputMessages: completionOutput,
};
