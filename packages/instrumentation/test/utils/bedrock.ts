import { createRequire } from 'node:module';
import type * as BedrockSdk from '@aws-sdk/client-bedrock-runtime';
import { BedrockInstrumentation, type BedrockInstrumentationConfig } from '../../src/index.js';
import { clientVersion, requireClient } from './clients.js';
import { type InstrumentationTest, setupInstrumentationTest } from './setup.js';

/** The client module (typed with the installed 3.x). */
export type BedrockModule = typeof BedrockSdk;
export type BedrockClient = InstanceType<BedrockModule['BedrockRuntimeClient']>;
export type BedrockClientConfig = NonNullable<ConstructorParameters<BedrockModule['BedrockRuntimeClient']>[0]>;

/** The installed `@aws-sdk/client-bedrock-runtime`, loaded (on first use) after the instrumentation, so patched. */
export interface LoadedBedrock {
  version: string;
  module: BedrockModule;
}

/** What {@link setupBedrockTest} gives a test file. */
export interface BedrockTest {
  /** The shared preamble: the scripted simulator (it speaks Bedrock's wire too) and fresh metrics per test. */
  t: InstrumentationTest;
  /** The Bedrock instrumentation (enabled). */
  bedrock: BedrockInstrumentation;
  /** The client package, loaded through `require` on first use (so the require hook patches it). */
  readonly loaded: LoadedBedrock;
  /**
   * A client pointed at the simulator (`endpoint`, region us-east-1, static fake credentials), with
   * one attempt (no retries) and the SDK's own HTTP/1.1 handler: the client's default is HTTP/2,
   * the simulator speaks HTTP/1.1 (the instrumentation sits at `send`, above the transport).
   */
  client(options?: Record<string, unknown>): BedrockClient;
  /** The options of {@link client}, for the `BedrockRuntime` aggregated client. */
  clientOptions(options?: Record<string, unknown>): BedrockClientConfig;
}

/** The preamble of every Bedrock test file: call it once, at the top of the file. */
export function setupBedrockTest(config: BedrockInstrumentationConfig = {}): BedrockTest {
  const t = setupInstrumentationTest();
  const bedrock = new BedrockInstrumentation(config);
  let loaded: LoadedBedrock | undefined;
  const load = (): LoadedBedrock => {
    loaded ??= {
      version: clientVersion('@aws-sdk/client-bedrock-runtime'),
      module: requireClient('@aws-sdk/client-bedrock-runtime') as BedrockModule,
    };
    return loaded;
  };
  // The handler package is the client's own dependency: resolved from the client's location.
  const handlers = () =>
    createRequire(requireClient.resolve('@aws-sdk/client-bedrock-runtime'))('@smithy/node-http-handler') as {
      NodeHttpHandler: new () => unknown;
    };
  const clientOptions = (options: Record<string, unknown> = {}): BedrockClientConfig =>
    ({
      region: 'us-east-1',
      endpoint: t.server.origin,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
      requestHandler: new (handlers().NodeHttpHandler)(),
      ...options,
    }) as BedrockClientConfig;
  return {
    t,
    bedrock,
    get loaded() {
      return load();
    },
    clientOptions,
    client: (options = {}) => new (load().module.BedrockRuntimeClient)(clientOptions(options)),
  };
}

/** An Anthropic Messages request body for InvokeModel, as Anthropic-on-Bedrock takes it. */
export function anthropicInvokeBody(): string {
  return JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }],
  });
}

/** The event stream of a streamed output (`stream`, `body`); throws when the output has none. */
export function eventsOf<T>(stream: AsyncIterable<T> | undefined): AsyncIterable<T> {
  if (stream === undefined) throw new Error('the output has no event stream');
  return stream;
}
