import { field } from '../shared/safe.js';
import { betaMessagesCreate, messagesCreate } from './messages.js';
import type { AnthropicOperation } from './operation.js';

/** A method of an Anthropic resource class and how it is measured. */
export interface AnthropicTarget {
  prototype: object;
  operation: AnthropicOperation;
}

/** The `Anthropic` client class from the module's exports (the CJS entry is also callable). */
function clientClass(moduleExports: unknown): unknown {
  const named = field(moduleExports, 'Anthropic');
  if (typeof named === 'function') return named;
  const byDefault = field(moduleExports, 'default');
  return typeof byDefault === 'function' ? byDefault : undefined;
}

/**
 * The resource prototypes whose `create` is patched, reached through the client class's static
 * namespace (`Anthropic.Messages`, `Anthropic.Beta.Messages`). Instances share these prototypes, so
 * clients created before or after patching are all measured. `countTokens`, `batches` and the
 * models API are not LLM calls and are left alone.
 */
export function anthropicTargets(moduleExports: unknown): AnthropicTarget[] {
  const Anthropic = clientClass(moduleExports);
  if (Anthropic === undefined) return [];
  const candidates: Array<[unknown, AnthropicOperation]> = [
    [field(Anthropic, 'Messages'), messagesCreate],
    [field(field(Anthropic, 'Beta'), 'Messages'), betaMessagesCreate],
  ];
  const targets: AnthropicTarget[] = [];
  for (const [resourceClass, operation] of candidates) {
    const prototype = field(resourceClass, 'prototype');
    if (typeof prototype === 'object' && prototype !== null && typeof field(prototype, 'create') === 'function') {
      targets.push({ prototype, operation });
    }
  }
  return targets;
}
