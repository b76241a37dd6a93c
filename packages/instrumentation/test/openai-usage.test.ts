import { describe, expect, it } from 'vitest';
import { readOpenAIUsage } from '../src/openai/usage.js';
import { CallMeter } from '../src/shared/call-meter.js';

/** What a usage object gives the meter: counts and details (undefined: not reported or invalid). */
function read(usage: unknown) {
  const meter = new CallMeter({ provider: 'openai', operation: 'chat' });
  readOpenAIUsage(usage, meter);
  const { inputTokens, outputTokens, cachedInputTokens, reasoningTokens } = meter;
  return { inputTokens, outputTokens, cachedInputTokens, reasoningTokens };
}

describe('readOpenAIUsage', () => {
  it('chat and legacy completions: prompt/completion tokens with their details', () => {
    expect(
      read({
        prompt_tokens: 11,
        completion_tokens: 7,
        prompt_tokens_details: { cached_tokens: 4, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 3 },
      }),
    ).toEqual({ inputTokens: 11, outputTokens: 7, cachedInputTokens: 4, reasoningTokens: 3 });
  });

  it('responses: input/output tokens with their details', () => {
    expect(
      read({
        input_tokens: 17,
        output_tokens: 9,
        input_tokens_details: { cached_tokens: 5 },
        output_tokens_details: { reasoning_tokens: 2 },
      }),
    ).toEqual({ inputTokens: 17, outputTokens: 9, cachedInputTokens: 5, reasoningTokens: 2 });
  });

  it('details absent or null: counts only', () => {
    expect(
      read({ prompt_tokens: 11, completion_tokens: 7, prompt_tokens_details: null, completion_tokens_details: null }),
    ).toEqual({ inputTokens: 11, outputTokens: 7, cachedInputTokens: undefined, reasoningTokens: undefined });
  });

  it('a partial usage keeps the count it has; a gateway sending both APIs’ names (one null) is read', () => {
    expect(read({ prompt_tokens: 11 })).toMatchObject({ inputTokens: 11, outputTokens: undefined });
    expect(read({ prompt_tokens: 11, completion_tokens: 7, input_tokens: null, output_tokens: null })).toMatchObject({
      inputTokens: 11,
      outputTokens: 7,
    });
  });

  it('invalid counts are left out, not guessed', () => {
    expect(
      read({
        prompt_tokens: 11,
        completion_tokens: 7.5,
        prompt_tokens_details: { cached_tokens: -1 },
        completion_tokens_details: { reasoning_tokens: '3' },
      }),
    ).toEqual({ inputTokens: 11, outputTokens: undefined, cachedInputTokens: undefined, reasoningTokens: undefined });
    expect(read(null)).toEqual({
      inputTokens: undefined,
      outputTokens: undefined,
      cachedInputTokens: undefined,
      reasoningTokens: undefined,
    });
  });
});
