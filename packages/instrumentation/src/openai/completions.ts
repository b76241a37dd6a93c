import { field, nonEmptyString } from '../shared/safe.js';
import { ChoiceStreamReader, completionChoices } from './choice-stream.js';
import type { OpenAIOperation } from './operation.js';

/** The legacy `completions.create`, plain and streamed. */
export const completionsCreate: OpenAIOperation = {
  operationName: 'text_completion',
  component: 'openai.completions.create',
  streamUsage: true,
  readResult(result, meter) {
    meter.responseModel = nonEmptyString(field(result, 'model'));
    const usage = field(result, 'usage');
    meter.setUsage(field(usage, 'prompt_tokens'), field(usage, 'completion_tokens'));
  },
  streamReader: (meter, options) => new ChoiceStreamReader(meter, completionChoices, options),
};
