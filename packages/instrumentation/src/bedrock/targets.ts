import { field } from '../shared/safe.js';
import { converse } from './converse.js';
import { converseStream } from './converse-stream.js';
import { invokeModel } from './invoke-model.js';
import { invokeModelStream } from './invoke-model-stream.js';
import type { BedrockOperation } from './operation.js';

/** The measured commands, by their export name in `@aws-sdk/client-bedrock-runtime`. */
const COMMANDS: ReadonlyArray<[string, BedrockOperation]> = [
  ['ConverseCommand', converse],
  ['ConverseStreamCommand', converseStream],
  ['InvokeModelCommand', invokeModel],
  ['InvokeModelWithResponseStreamCommand', invokeModelStream],
];

const REGISTRY_KEY = Symbol.for('@llm-otel/instrumentation.bedrock-commands.v1');

/**
 * The command classes of every loaded copy of the client (its CJS and ESM builds, two versions),
 * process-wide: `send` is patched once on the shared Smithy client, whichever copy (and whichever
 * build of this package) patched it first, and must know the commands of all of them.
 */
function registry(): WeakMap<object, BedrockOperation> {
  const holder = globalThis as unknown as Record<symbol, WeakMap<object, BedrockOperation> | undefined>;
  let map = holder[REGISTRY_KEY];
  if (map === undefined) {
    map = new WeakMap();
    holder[REGISTRY_KEY] = map;
  }
  return map;
}

/** Remembers the command classes of one loaded copy of the client module. */
export function registerCommands(moduleExports: unknown): void {
  const map = registry();
  for (const [name, operation] of COMMANDS) {
    const commandClass = field(moduleExports, name);
    if (typeof commandClass === 'function') map.set(commandClass, operation);
  }
}

/** The operation of a command object (by its class: one WeakMap look-up), or undefined for any other command. */
export function operationOf(command: unknown): BedrockOperation | undefined {
  const commandClass = field(command, 'constructor');
  return typeof commandClass === 'function' ? registry().get(commandClass) : undefined;
}

/** The object whose `send` is patched: where `BedrockRuntimeClient.prototype` inherits it from (the Smithy client). */
export function sendOwner(moduleExports: unknown): object | undefined {
  const prototype = field(field(moduleExports, 'BedrockRuntimeClient'), 'prototype');
  return typeof prototype === 'object' && prototype !== null ? prototype : undefined;
}
