import type { SamplingParameters } from '@llm-otel/core';
import { field } from './safe.js';

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/**
 * The sampling parameters of an openai or Anthropic request body: `temperature`, `top_p` and the
 * output cap (`max_tokens`; openai's `max_completion_tokens` for chat and `max_output_tokens` for
 * Responses). Only numbers are taken (core checks their range); the app's object is only read.
 */
export function requestSampling(body: unknown): SamplingParameters {
  return {
    temperature: numberOf(field(body, 'temperature')),
    topP: numberOf(field(body, 'top_p')),
    maxTokens:
      numberOf(field(body, 'max_tokens')) ??
      numberOf(field(body, 'max_completion_tokens')) ??
      numberOf(field(body, 'max_output_tokens')),
  };
}
