import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** Where an OpenAI-client call goes, as given to the hooks of {@link OpenAIInstrumentationConfig}. */
export interface OpenAIEndpointInfo {
  /** The client's base URL, e.g. `http://localhost:11434/v1`. */
  baseURL: string | undefined;
  /** Its host (`server.address`). */
  host: string | undefined;
  /** Its port, explicit or the scheme's default (`server.port`). */
  port: number | undefined;
  /** The provider the built-in host rule chose (`openai`, `azure.ai.openai`, `openai_compatible`, ...). */
  provider: string;
}

/** Options of {@link OpenAIInstrumentation}. */
export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Ask for token usage on streamed chat and legacy completions (`stream_options.include_usage`)
   * when the app did not set `stream_options`; the extra usage-only chunk is then withheld from the
   * app. `true` (default): for every endpoint, except Azure clients whose `api-version` predates
   * `2024-09-01` (they reject the option). `false`: never (streams then record no token counts).
   * A function decides per endpoint.
   */
  streamUsage?: boolean | ((endpoint: OpenAIEndpointInfo) => boolean);
  /**
   * Overrides `gen_ai.provider.name` for an endpoint (e.g. return `ollama` for `localhost:11434`);
   * return undefined to keep the built-in host rule.
   */
  providerName?: (endpoint: OpenAIEndpointInfo) => string | undefined;
}

/** Options of {@link OllamaInstrumentation}. */
export interface OllamaInstrumentationConfig extends InstrumentationConfig {
  /** `gen_ai.provider.name` of the calls. Default `ollama`. */
  providerName?: string;
}

/** Options of {@link llmInstrumentations}. */
export interface LlmInstrumentationsConfig {
  /** Options of the openai instrumentation, or `false` to leave it out. */
  openai?: OpenAIInstrumentationConfig | false;
  /** Options of the ollama instrumentation, or `false` to leave it out. */
  ollama?: OllamaInstrumentationConfig | false;
}
