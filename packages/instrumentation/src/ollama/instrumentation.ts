import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import type { OllamaInstrumentationConfig } from '../config.js';
import { LlmInstrumentation, type MethodPatch } from '../shared/llm-instrumentation.js';
import { definingObject } from '../shared/patch-registry.js';
import { field } from '../shared/safe.js';
import { PACKAGE_VERSION } from '../version.js';
import { chat } from './chat.js';
import { embed } from './embed.js';
import { embeddings } from './embeddings.js';
import { generate } from './generate.js';
import { type OllamaOperation, ollamaWrapper } from './operation.js';

/** The `ollama` releases this instrumentation patches. */
export const OLLAMA_SUPPORTED_VERSIONS = ['>=0.5.0 <1'];

const OPERATIONS: Record<string, OllamaOperation> = { chat, generate, embed, embeddings };

/**
 * Measures the official `ollama` client: `chat`, `generate`, `embed` and `embeddings` (where the
 * release has it), plain and streamed, on the default export and on `new Ollama()` alike (they share
 * the class's prototype, which is where the methods are patched).
 */
export class OllamaInstrumentation extends LlmInstrumentation<OllamaInstrumentationConfig> {
  constructor(config: OllamaInstrumentationConfig = {}) {
    super('@llm-otel/instrumentation-ollama', PACKAGE_VERSION, config);
  }

  protected init() {
    const patch = (moduleExports: unknown) => this.patchExports(moduleExports);
    const unpatch = (moduleExports: unknown) => this.unpatchExports(moduleExports);
    // The browser build (`ollama/browser`) holds the class that the Node entry extends.
    const files = ['ollama/dist/browser.cjs', 'ollama/dist/browser.mjs'].map(
      (file) => new InstrumentationNodeModuleFile(file, OLLAMA_SUPPORTED_VERSIONS, patch, unpatch),
    );
    return [new InstrumentationNodeModuleDefinition('ollama', OLLAMA_SUPPORTED_VERSIONS, patch, unpatch, files)];
  }

  protected methodPatches(moduleExports: unknown): MethodPatch<this>[] {
    const patches: MethodPatch<this>[] = [];
    const done = new Set<string>();
    const starts = [field(field(moduleExports, 'Ollama'), 'prototype'), field(moduleExports, 'default')];
    const objectIds = new Map<object, number>();
    for (const start of starts) {
      for (const [key, operation] of Object.entries(OPERATIONS)) {
        const target = definingObject(start, key);
        if (target === undefined) continue;
        if (!objectIds.has(target)) objectIds.set(target, objectIds.size);
        const id = `${objectIds.get(target)}:${key}`;
        if (done.has(id)) continue;
        done.add(id);
        patches.push({
          target,
          key,
          makeWrapper: (original, currentOwner) => ollamaWrapper(operation, currentOwner)(original),
        });
      }
    }
    return patches;
  }
}
