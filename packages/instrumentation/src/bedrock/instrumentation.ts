import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { LlmInstrumentation, type MethodPatch } from '../shared/llm-instrumentation.js';
import { definingObject } from '../shared/patch-registry.js';
import { PACKAGE_VERSION } from '../version.js';
import { sendWrapper } from './operation.js';
import { registerCommands, sendOwner } from './targets.js';

/** Options of {@link BedrockInstrumentation}. */
export interface BedrockInstrumentationConfig extends InstrumentationConfig {
  /** `gen_ai.provider.name` of the calls (e.g. for a gateway in front of Bedrock). Default `aws.bedrock`. */
  providerName?: string;
}

/** The `@aws-sdk/client-bedrock-runtime` releases this instrumentation patches. */
export const BEDROCK_SUPPORTED_VERSIONS = ['>=3.0.0 <4'];

const MODULE = '@aws-sdk/client-bedrock-runtime';

/**
 * Measures the AWS SDK v3 Bedrock Runtime client, `@aws-sdk/client-bedrock-runtime` 3.x:
 * `Converse`, `ConverseStream`, `InvokeModel` and `InvokeModelWithResponseStream`, sent with
 * `client.send(command)` or the `BedrockRuntime` methods (`converse()`, ...), into the llm-otel
 * metrics (provider `aws.bedrock`). The client's `send` is inherited from the Smithy client that
 * every AWS SDK v3 client shares: it is patched there once, and any other command (of this or
 * another AWS client) passes straight through after one look-up. Works for apps loaded as CommonJS
 * and, with the `import-in-the-middle` hook registered, as ES modules.
 */
export class BedrockInstrumentation extends LlmInstrumentation<BedrockInstrumentationConfig> {
  constructor(config: BedrockInstrumentationConfig = {}) {
    super('@llm-otel/instrumentation-bedrock', PACKAGE_VERSION, config);
  }

  protected init() {
    const patch = (moduleExports: unknown) => this.patchExports(moduleExports);
    const unpatch = (moduleExports: unknown) => this.unpatchExports(moduleExports);
    return [new InstrumentationNodeModuleDefinition(MODULE, BEDROCK_SUPPORTED_VERSIONS, patch, unpatch)];
  }

  protected methodPatches(moduleExports: unknown): MethodPatch<this>[] {
    const target = definingObject(sendOwner(moduleExports), 'send');
    if (target === undefined) return [];
    registerCommands(moduleExports);
    return [{ target, key: 'send', makeWrapper: (_original, currentOwner) => sendWrapper(currentOwner)(_original) }];
  }
}
