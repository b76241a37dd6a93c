import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { BedrockInstrumentationConfig } from './bedrock/instrumentation.js';
import type { VercelAIInstrumentationConfig } from './vercel-ai/instrumentation.js';

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

/**
 * When the openai instrumentation adds `stream_options: { include_usage: true }` to a streamed chat
 * or legacy completion that does not set `stream_options` (without it a stream reports no tokens):
 * `auto` only for servers known to accept it (OpenAI, Azure OpenAI from `api-version` 2024-09-01,
 * DeepSeek), `always` for every server, `never` for none.
 */
export type StreamUsageMode = 'auto' | 'always' | 'never';

/** Options of {@link OpenAIInstrumentation}. */
export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Ask for token usage on streamed chat and legacy completions (`stream_options.include_usage`)
   * when the app did not set `stream_options`; the extra usage-only chunk is then withheld from the
   * app. A {@link StreamUsageMode}, or a function that decides per endpoint. Default: the
   * `LLM_OTEL_OPENAI_INJECT_STREAM_USAGE` environment variable, else `auto`. `true` and `false` are
   * kept as `always` and `never`.
   */
  streamUsage?: StreamUsageMode | boolean | ((endpoint: OpenAIEndpointInfo) => boolean);
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

/** Options of {@link AnthropicInstrumentation}. */
export interface AnthropicInstrumentationConfig extends InstrumentationConfig {
  /** `gen_ai.provider.name` of the calls (e.g. for a gateway in front of Anthropic). Default `anthropic`. */
  providerName?: string;
}

/** Options of {@link GoogleGenAIInstrumentation}. */
export interface GoogleGenAIInstrumentationConfig extends InstrumentationConfig {
  /** `gen_ai.provider.name` of the calls. Default `gcp.gemini`, or `gcp.vertex_ai` for a Vertex AI client. */
  providerName?: string;
}

/** Options of {@link llmInstrumentations}. */
export interface LlmInstrumentationsConfig {
  /** Options of the openai instrumentation, or `false` to leave it out. */
  openai?: OpenAIInstrumentationConfig | false;
  /** Options of the ollama instrumentation, or `false` to leave it out. */
  ollama?: OllamaInstrumentationConfig | false;
  /** Options of the Anthropic instrumentation (`@anthropic-ai/sdk`), or `false` to leave it out. */
  anthropic?: AnthropicInstrumentationConfig | false;
  /** Options of the Bedrock instrumentation (`@aws-sdk/client-bedrock-runtime`), or `false` to leave it out. */
  bedrock?: BedrockInstrumentationConfig | false;
  /** Options of the Google Gen AI instrumentation (`@google/genai` 3.x), or `false` to leave it out. */
  googleGenAI?: GoogleGenAIInstrumentationConfig | false;
  /** Options of the Vercel AI SDK instrumentation (`ai` 7.x, its telemetry integration), or `false` to leave it out. */
  vercelAi?: VercelAIInstrumentationConfig | false;
}
