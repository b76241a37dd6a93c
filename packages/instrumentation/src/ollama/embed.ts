import { field, nonEmptyString } from '../shared/safe.js';
import type { OllamaOperation } from './operation.js';

/** `ollama.embed()`: input tokens from `prompt_eval_count`. */
export const embed: OllamaOperation = {
  operationName: 'embeddings',
  component: 'ollama.embed',
  readResult(result, meter) {
    meter.responseModel = nonEmptyString(field(result, 'model'));
    meter.setUsage(field(result, 'prompt_eval_count'), undefined);
  },
};
