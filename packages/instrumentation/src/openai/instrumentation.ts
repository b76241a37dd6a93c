import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import type { OpenAIInstrumentationConfig } from '../config.js';
import { LlmInstrumentation, type MethodPatch } from '../shared/llm-instrumentation.js';
import { definingObject } from '../shared/patch-registry.js';
import { PACKAGE_VERSION } from '../version.js';
import { createWrapper } from './operation.js';
import { openaiTargets } from './targets.js';

/** The `openai` releases this instrumentation patches. */
export const OPENAI_SUPPORTED_VERSIONS = ['>=4.0.0 <8'];

/**
 * Measures the official `openai` client (4.x to 7.x): `chat.completions.create`, the legacy
 * `completions.create`, `embeddings.create` and `responses.create`, plain and streamed, into the
 * llm-otel metrics. Works for apps loaded as CommonJS and, with the `import-in-the-middle` hook
 * registered, as ES modules.
 */
export class OpenAIInstrumentation extends LlmInstrumentation<OpenAIInstrumentationConfig> {
  constructor(config: OpenAIInstrumentationConfig = {}) {
    super('@llm-otel/instrumentation-openai', PACKAGE_VERSION, config);
  }

  protected init() {
    const patch = (moduleExports: unknown) => this.patchExports(moduleExports);
    const unpatch = (moduleExports: unknown) => this.unpatchExports(moduleExports);
    // The entry files too: the ESM hook names the entry by its file when the app imports the
    // package under another name (an alias such as `openai-v6` -> `npm:openai@6`).
    const files = ['openai/index.js', 'openai/index.mjs'].map(
      (file) => new InstrumentationNodeModuleFile(file, OPENAI_SUPPORTED_VERSIONS, patch, unpatch),
    );
    return [new InstrumentationNodeModuleDefinition('openai', OPENAI_SUPPORTED_VERSIONS, patch, unpatch, files)];
  }

  protected methodPatches(moduleExports: unknown): MethodPatch<this>[] {
    const patches: MethodPatch<this>[] = [];
    for (const { prototype, operation } of openaiTargets(moduleExports)) {
      const target = definingObject(prototype, 'create');
      if (target === undefined) continue;
      patches.push({
        target,
        key: 'create',
        makeWrapper: (original, currentOwner) => createWrapper(operation, currentOwner)(original),
      });
    }
    return patches;
  }
}
