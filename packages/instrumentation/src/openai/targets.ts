import { field } from '../shared/safe.js';
import { chatCompletionsCreate } from './chat-completions.js';
import { completionsCreate } from './completions.js';
import { embeddingsCreate } from './embeddings.js';
import type { OpenAIOperation } from './operation.js';
import { responsesCreate } from './responses.js';

/** A method of an openai resource class and how it is measured. */
export interface OpenAITarget {
  prototype: object;
  operation: OpenAIOperation;
}

/** The `OpenAI` client class from the module's exports: CJS v4 exports the class itself. */
function clientClass(moduleExports: unknown): unknown {
  const named = field(moduleExports, 'OpenAI');
  if (typeof named === 'function') return named;
  const byDefault = field(moduleExports, 'default');
  if (typeof byDefault === 'function') return byDefault;
  return typeof moduleExports === 'function' ? moduleExports : undefined;
}

/**
 * The resource prototypes whose `create` is patched, reached through the client class's static
 * namespace (`OpenAI.Chat.Completions`, `OpenAI.Completions`, `OpenAI.Embeddings`,
 * `OpenAI.Responses`), which every major from 4 to 7 exposes. Instances share these prototypes, so
 * clients created before or after patching, `AzureOpenAI` included, are all measured.
 */
export function openaiTargets(moduleExports: unknown): OpenAITarget[] {
  const OpenAI = clientClass(moduleExports);
  if (OpenAI === undefined) return [];
  const candidates: Array<[unknown, OpenAIOperation]> = [
    [field(field(OpenAI, 'Chat'), 'Completions'), chatCompletionsCreate],
    [field(OpenAI, 'Completions'), completionsCreate],
    [field(OpenAI, 'Embeddings'), embeddingsCreate],
    [field(OpenAI, 'Responses'), responsesCreate],
  ];
  const targets: OpenAITarget[] = [];
  for (const [resourceClass, operation] of candidates) {
    const prototype = field(resourceClass, 'prototype');
    if (typeof prototype === 'object' && prototype !== null && typeof field(prototype, 'create') === 'function') {
      targets.push({ prototype, operation });
    }
  }
  return targets;
}
