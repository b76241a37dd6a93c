import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import type { GoogleGenAIInstrumentationConfig } from '../config.js';
import { LlmInstrumentation, type MethodPatch } from '../shared/llm-instrumentation.js';
import { definingObject } from '../shared/patch-registry.js';
import { field } from '../shared/safe.js';
import { PACKAGE_VERSION } from '../version.js';
import { createWrapper } from './operation.js';
import { GOOGLE_GENAI_OPERATIONS } from './operations.js';

/** The `@google/genai` releases this instrumentation patches. */
export const GOOGLE_GENAI_SUPPORTED_VERSIONS = ['>=3.0.0 <4'];

const MODULE = '@google/genai';

/**
 * Measures Google's Gen AI client, `@google/genai` 3.x (Node >= 22), into the llm-otel metrics:
 * `models.generateContent`, `models.generateContentStream` and `models.embedContent`, and the chats
 * (`chats.create().sendMessage()`, `sendMessageStream()`), which call them. Provider `gcp.gemini`,
 * or `gcp.vertex_ai` for a client created with `vertexai: true`.
 *
 * The public methods are arrow functions that each `Models` instance creates in its constructor, so
 * patching `Models.prototype` cannot reach them; what they call, once per request to the model, is
 * (`generateContentInternal`, `generateContentStreamInternal`, `embedContentInternal`). Patching
 * those counts a chat message once, each hop of automatic continuation and each round of automatic
 * function calling as the model request it is (with that request's exact usage: the SDK's merged
 * response would hide the earlier rounds' tokens), and reaches clients created before the
 * instrumentation was enabled. Works for apps loaded as CommonJS and, with the
 * `import-in-the-middle` hook registered, as ES modules.
 */
export class GoogleGenAIInstrumentation extends LlmInstrumentation<GoogleGenAIInstrumentationConfig> {
  constructor(config: GoogleGenAIInstrumentationConfig = {}) {
    super('@llm-otel/instrumentation-google-genai', PACKAGE_VERSION, config);
  }

  protected init() {
    const patch = (moduleExports: unknown) => this.patchExports(moduleExports);
    const unpatch = (moduleExports: unknown) => this.unpatchExports(moduleExports);
    // The entry files too: the ESM hook names the entry by its file when the app imports the
    // package under another name (an alias).
    const files = ['dist/node/index.cjs', 'dist/node/index.mjs', 'dist/index.cjs', 'dist/index.mjs'].map(
      (file) => new InstrumentationNodeModuleFile(`${MODULE}/${file}`, GOOGLE_GENAI_SUPPORTED_VERSIONS, patch, unpatch),
    );
    return [new InstrumentationNodeModuleDefinition(MODULE, GOOGLE_GENAI_SUPPORTED_VERSIONS, patch, unpatch, files)];
  }

  protected methodPatches(moduleExports: unknown): MethodPatch<this>[] {
    const prototype = field(field(moduleExports, 'Models'), 'prototype');
    const patches: MethodPatch<this>[] = [];
    for (const op of GOOGLE_GENAI_OPERATIONS) {
      const target = definingObject(prototype, op.key);
      if (target === undefined) continue;
      patches.push({
        target,
        key: op.key,
        makeWrapper: (original, currentOwner) => createWrapper(op, currentOwner)(original),
      });
    }
    return patches;
  }
}
