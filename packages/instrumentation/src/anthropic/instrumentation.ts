import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import type { AnthropicInstrumentationConfig } from '../config.js';
import { LlmInstrumentation, type MethodPatch } from '../shared/llm-instrumentation.js';
import { definingObject } from '../shared/patch-registry.js';
import { PACKAGE_VERSION } from '../version.js';
import { createWrapper } from './operation.js';
import { anthropicTargets } from './targets.js';

/** The `@anthropic-ai/sdk` releases this instrumentation patches. */
export const ANTHROPIC_SUPPORTED_VERSIONS = ['>=1.0.0 <2'];

const MODULE = '@anthropic-ai/sdk';

/**
 * Measures the official Anthropic client, `@anthropic-ai/sdk` 1.x: `messages.create` and
 * `beta.messages.create`, plain and streamed, and so `messages.parse()`, the `messages.stream()`
 * helper and the beta tool runner, which call them, into the llm-otel metrics (provider
 * `anthropic`). `countTokens` is not an LLM call and is not counted. Works for apps loaded as
 * CommonJS and, with the `import-in-the-middle` hook registered, as ES modules.
 */
export class AnthropicInstrumentation extends LlmInstrumentation<AnthropicInstrumentationConfig> {
  constructor(config: AnthropicInstrumentationConfig = {}) {
    super('@llm-otel/instrumentation-anthropic', PACKAGE_VERSION, config);
  }

  protected init() {
    const patch = (moduleExports: unknown) => this.patchExports(moduleExports);
    const unpatch = (moduleExports: unknown) => this.unpatchExports(moduleExports);
    // The entry files too: the ESM hook names the entry by its file when the app imports the
    // package under another name (an alias).
    const files = [`${MODULE}/index.js`, `${MODULE}/index.mjs`].map(
      (file) => new InstrumentationNodeModuleFile(file, ANTHROPIC_SUPPORTED_VERSIONS, patch, unpatch),
    );
    return [new InstrumentationNodeModuleDefinition(MODULE, ANTHROPIC_SUPPORTED_VERSIONS, patch, unpatch, files)];
  }

  protected methodPatches(moduleExports: unknown): MethodPatch<this>[] {
    const patches: MethodPatch<this>[] = [];
    for (const { prototype, operation } of anthropicTargets(moduleExports)) {
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
