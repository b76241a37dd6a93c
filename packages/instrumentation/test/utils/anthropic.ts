import type AnthropicSdk from '@anthropic-ai/sdk';
import { AnthropicInstrumentation, type AnthropicInstrumentationConfig } from '../../src/index.js';
import { clientVersion, requireClient } from './clients.js';
import { type InstrumentationTest, setupInstrumentationTest } from './setup.js';

/** The Anthropic client class (typed with the installed 1.x). */
export type AnthropicClass = typeof AnthropicSdk;
export type AnthropicClient = InstanceType<AnthropicClass>;

/** The installed `@anthropic-ai/sdk`, loaded (on first use) after the instrumentation, so patched. */
export interface LoadedAnthropic {
  version: string;
  Anthropic: AnthropicClass;
  module: Record<string, unknown>;
}

/** What {@link setupAnthropicTest} gives a test file. */
export interface AnthropicTest {
  /** The shared preamble: the scripted simulator (it speaks Anthropic's wire too) and fresh metrics per test. */
  t: InstrumentationTest;
  /** The Anthropic instrumentation (enabled). */
  anthropic: AnthropicInstrumentation;
  /** The client package, loaded through `require` on first use (so the require hook patches it). */
  readonly loaded: LoadedAnthropic;
  /** A client pointed at the simulator, without retries. */
  client(options?: Record<string, unknown>): AnthropicClient;
}

/** The preamble of every Anthropic test file: call it once, at the top of the file. */
export function setupAnthropicTest(config: AnthropicInstrumentationConfig = {}): AnthropicTest {
  const t = setupInstrumentationTest();
  const anthropic = new AnthropicInstrumentation(config);
  let loaded: LoadedAnthropic | undefined;
  const load = (): LoadedAnthropic => {
    loaded ??= (() => {
      const module = requireClient('@anthropic-ai/sdk') as Record<string, unknown>;
      return {
        version: clientVersion('@anthropic-ai/sdk'),
        Anthropic: module.Anthropic as AnthropicClass,
        module,
      };
    })();
    return loaded;
  };
  return {
    t,
    anthropic,
    get loaded() {
      return load();
    },
    client: (options = {}) =>
      new (load().Anthropic)({ apiKey: 'test-key', baseURL: t.server.origin, maxRetries: 0, ...options }),
  };
}
