import { field, nonEmptyString } from '../shared/safe.js';
import type { OpenAIOperation } from './operation.js';

/** `embeddings.create`: input tokens only (`usage.prompt_tokens`). */
export const embeddingsCreate: OpenAIOperation = {
  operationName: 'embeddings',
  component: 'openai.embeddings.create',
  streamUsage: false,
  readResult(result, meter) {
    meter.responseModel = nonEmptyString(field(result, 'model'));
    meter.setUsage(field(field(result, 'usage'), 'prompt_tokens'), undefined);
  },
  // Embeddings are never streamed; a reader that only passes chunks through, should one come.
  streamReader: () => ({ read: () => true, settle() {}, usagePending: () => false }),
};
