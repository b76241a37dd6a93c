import { field } from '../shared/safe.js';
import { ollamaChatInput, ollamaChatOutput } from './content.js';
import { chatChunkContent, readOllamaCounters } from './counters.js';
import type { OllamaOperation } from './operation.js';

/** `ollama.chat()`, plain and streamed. */
export const chat: OllamaOperation = {
  operationName: 'chat',
  component: 'ollama.chat',
  readResult: readOllamaCounters,
  chunkContent: chatChunkContent,
  chunkText: (chunk) => field(field(chunk, 'message'), 'content'),
  inputMessages: ollamaChatInput,
  outputMessages: ollamaChatOutput,
};
