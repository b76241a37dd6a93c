import { chatChunkContent, readOllamaCounters } from './counters.js';
import type { OllamaOperation } from './operation.js';

/** `ollama.chat()`, plain and streamed. */
export const chat: OllamaOperation = {
  operationName: 'chat',
  component: 'ollama.chat',
  readResult: readOllamaCounters,
  chunkContent: chatChunkContent,
};
