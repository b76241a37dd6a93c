export { ANTHROPIC_SUPPORTED_VERSIONS, AnthropicInstrumentation } from './anthropic/instrumentation.js';
export {
  BEDROCK_SUPPORTED_VERSIONS,
  BedrockInstrumentation,
  type BedrockInstrumentationConfig,
} from './bedrock/instrumentation.js';
export type {
  AnthropicInstrumentationConfig,
  GoogleGenAIInstrumentationConfig,
  LlmInstrumentationsConfig,
  OllamaInstrumentationConfig,
  OpenAIEndpointInfo,
  OpenAIInstrumentationConfig,
  StreamUsageMode,
} from './config.js';
export { GOOGLE_GENAI_SUPPORTED_VERSIONS, GoogleGenAIInstrumentation } from './google-genai/instrumentation.js';
export { llmInstrumentations } from './llm-instrumentations.js';
export { OLLAMA_SUPPORTED_VERSIONS, OllamaInstrumentation } from './ollama/instrumentation.js';
export { OPENAI_SUPPORTED_VERSIONS, OpenAIInstrumentation } from './openai/instrumentation.js';
export { OPENAI_COMPATIBLE, providerForHost } from './openai/provider.js';
export { STREAM_USAGE_ENV } from './openai/stream-usage.js';
export { flushRateLimitHeaders, RATE_LIMIT_READ_INTERVAL_MS } from './shared/headroom.js';
export {
  VERCEL_AI_SUPPORTED_VERSIONS,
  VercelAIInstrumentation,
  type VercelAIInstrumentationConfig,
} from './vercel-ai/instrumentation.js';
export { PACKAGE_VERSION } from './version.js';
