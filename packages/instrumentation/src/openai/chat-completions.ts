import { field, nonEmptyString } from '../shared/safe.js';
import { ChoiceStreamReader, chatChoices } from './choice-stream.js';
import type { OpenAIOperation } from './operation.js';

/** `chat.completions.create`, plain and streamed (also behind `parse()`, `stream()`, `runTools()`). */
export const chatCompletionsCreate: OpenAIOperation = {
  operationName: 'chat',
  component: 'openai.chat.completions.create',
  streamUsage: true,
  readResult(result, meter) {
    meter.responseModel = nonEmptyString(field(result, 'model'));
    const usage = field(result, 'usage');
    meter.setUsage(
      field(usage, 'prompt_tokens'),
      field(usage, 'completion_tokens'),
      field(field(usage, 'completion_tokens_details'), 'reasoning_tokens'),
    );
  },
  streamReader: (meter, options) => new ChoiceStreamReader(meter, chatChoices, options),
};
