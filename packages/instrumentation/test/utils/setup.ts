import type { Ollama as OllamaClient } from 'ollama';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  OllamaInstrumentation,
  type OllamaInstrumentationConfig,
  OpenAIInstrumentation,
  type OpenAIInstrumentationConfig,
} from '../../src/index.js';
import { clientVersion, OLLAMA_MODULES, OPENAI_MODULES, requireClient } from './clients.js';
import type { LoadedOpenAI, OpenAIClass, OpenAIClient } from './harness.js';
import { type LlmTestServer, llmTestServer } from './llm-server.js';
import { type Collected, TestMetrics } from './metrics.js';

/** One loaded ollama release. */
export interface LoadedOllama {
  name: string;
  version: string;
  Ollama: new (config?: { host?: string }) => OllamaClient;
  /** The module's default client (shared by the whole module). */
  default: OllamaClient;
}

/** What {@link setupInstrumentationTest} gives a test file. */
export interface InstrumentationTest {
  /** The scripted wire-format server (started before the file's tests, stopped after). */
  server: LlmTestServer;
  /** The openai instrumentation (enabled). */
  openai: OpenAIInstrumentation;
  /** The openai majors under test, loaded (on first use) after the instrumentations, so patched. */
  readonly openaiClients: LoadedOpenAI[];
  /** The ollama instrumentation (enabled). */
  ollama: OllamaInstrumentation;
  /** The ollama releases under test, loaded on first use. */
  readonly ollamaClients: LoadedOllama[];
  /** The metrics of the running test (a fresh global MeterProvider per test). */
  metrics(): TestMetrics;
  /** What the running test recorded so far. */
  collect(): Promise<Collected>;
  /** A client of `loaded` pointed at the server, without retries. */
  openaiClient(loaded: LoadedOpenAI, options?: Record<string, unknown>): OpenAIClient;
  /** A `new Ollama()` of `loaded` pointed at the server. */
  ollamaClient(loaded: LoadedOllama): OllamaClient;
}

/**
 * The preamble of every instrumentation test file, in one place: creates (and so enables) the
 * instrumentations (openai with `streamUsage: 'always'` unless `options.openai` says otherwise), then loads the client releases under test through `require` when first used (which
 * the instrumentations' hooks patch), starts the test server for the file, and installs fresh metrics
 * before each test. Call it once, at the top of the file.
 */
export function setupInstrumentationTest(
  options: { openai?: OpenAIInstrumentationConfig; ollama?: OllamaInstrumentationConfig } = {},
): InstrumentationTest {
  // The test server is an unknown host, where the default (`auto`) would not ask for stream usage.
  const openai = new OpenAIInstrumentation(options.openai ?? { streamUsage: 'always' });
  const ollama = new OllamaInstrumentation(options.ollama ?? {});
  const loadOpenAI = (): LoadedOpenAI[] =>
    OPENAI_MODULES.map((name) => {
      const module = requireClient(name) as Record<string, unknown>;
      const OpenAI = (module.OpenAI ?? module.default ?? module) as OpenAIClass;
      const version = clientVersion(name);
      return { name, version, major: Number(version.split('.')[0]), OpenAI, module };
    });
  const loadOllama = (): LoadedOllama[] =>
    OLLAMA_MODULES.map((name) => {
      const module = requireClient(name) as Omit<LoadedOllama, 'name' | 'version'>;
      return { name, version: clientVersion(name), Ollama: module.Ollama, default: module.default };
    });
  let openaiClients: LoadedOpenAI[] | undefined;
  let ollamaClients: LoadedOllama[] | undefined;
  const server = llmTestServer();
  let current: TestMetrics | undefined;
  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => {
    current = TestMetrics.install();
  });
  const metrics = (): TestMetrics => {
    if (current === undefined) throw new Error('metrics are installed before each test');
    return current;
  };
  return {
    server,
    openai,
    get openaiClients() {
      openaiClients ??= loadOpenAI();
      return openaiClients;
    },
    ollama,
    get ollamaClients() {
      ollamaClients ??= loadOllama();
      return ollamaClients;
    },
    metrics,
    collect: () => metrics().collect(),
    openaiClient: (loaded, clientOptions = {}) =>
      new loaded.OpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseURL, maxRetries: 0, ...clientOptions }),
    ollamaClient: (loaded) => new loaded.Ollama({ host: server.origin }),
  };
}
