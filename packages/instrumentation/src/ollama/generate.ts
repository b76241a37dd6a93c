import { field } from '../shared/safe.js';
import { ollamaGenerateInput, ollamaGenerateOutput } from './content.js';
import { generateChunkContent, readOllamaCounters } from './counters.js';
import type { OllamaOperation } from './operation.js';

/** `ollama.generate()`, plain and streamed: a prompt completion (`text_completion`). */
export const generate: OllamaOperation = {
  operationName: 'text_completion',
  component: 'ollama.generate',
  readResult: readOllamaCounters,
  chunkContent: generateChunkContent,
  chunkText: (chunk) => field(chunk, 'response'),
  inputMessages: ollamaGenerateInput,
  outputMessages: ollamaGenerateOutput,
};
