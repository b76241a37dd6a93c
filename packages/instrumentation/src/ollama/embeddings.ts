import type { OllamaOperation } from './operation.js';

/** The older `ollama.embeddings()`: its response has no counters, so latency and errors only. */
export const embeddings: OllamaOperation = {
  operationName: 'embeddings',
  component: 'ollama.embeddings',
  readResult() {},
};
