import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AnthropicInstrumentation } from './anthropic/instrumentation.js';
import { BedrockInstrumentation } from './bedrock/instrumentation.js';
import type { LlmInstrumentationsConfig } from './config.js';
import { GoogleGenAIInstrumentation } from './google-genai/instrumentation.js';
import { OllamaInstrumentation } from './ollama/instrumentation.js';
import { OpenAIInstrumentation } from './openai/instrumentation.js';
import { VercelAIInstrumentation } from './vercel-ai/instrumentation.js';

/**
 * The instrumentations of the LLM clients, ready for `registerInstrumentations()` or
 * `register({ instrumentations })`: `[OpenAIInstrumentation, OllamaInstrumentation,
 * AnthropicInstrumentation, BedrockInstrumentation, GoogleGenAIInstrumentation,
 * VercelAIInstrumentation]`, each with its options, or without one that is set to `false`.
 */
export function llmInstrumentations(config: LlmInstrumentationsConfig = {}): Instrumentation[] {
  const list: Instrumentation[] = [];
  if (config.openai !== false) list.push(new OpenAIInstrumentation(config.openai ?? {}));
  if (config.ollama !== false) list.push(new OllamaInstrumentation(config.ollama ?? {}));
  if (config.anthropic !== false) list.push(new AnthropicInstrumentation(config.anthropic ?? {}));
  if (config.bedrock !== false) list.push(new BedrockInstrumentation(config.bedrock ?? {}));
  if (config.googleGenAI !== false) list.push(new GoogleGenAIInstrumentation(config.googleGenAI ?? {}));
  if (config.vercelAi !== false) list.push(new VercelAIInstrumentation(config.vercelAi ?? {}));
  return list;
}
