import { describe, expect, it } from 'vitest';
import { builtInPriceTable, computeCost, usageFromAnthropic, usageFromGemini, usageFromOpenAI } from '../src/index.js';

describe('usage from the wire', () => {
  it('reads OpenAI Chat Completions usage, cached tokens inside the prompt', () => {
    const usage = usageFromOpenAI({
      prompt_tokens: 1_000_000,
      completion_tokens: 500_000,
      total_tokens: 1_500_000,
      prompt_tokens_details: { cached_tokens: 200_000, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    expect(usage).toEqual({
      inputKind: 'total',
      input: 1_000_000,
      cachedInput: 200_000,
      outputKind: 'total',
      output: 500_000,
      reasoningOutput: 0,
    });
    const price = builtInPriceTable().lookup('openai', 'gpt-4o-mini');
    const result = price && usage && computeCost(price, usage);
    expect(result && result.ok && result.cost.total).toBeCloseTo(0.435, 12);
  });

  it('reads OpenAI Responses and Embeddings usage', () => {
    expect(
      usageFromOpenAI({
        input_tokens: 100,
        output_tokens: 50,
        input_tokens_details: { cached_tokens: 20 },
        output_tokens_details: { reasoning_tokens: 30 },
      }),
    ).toEqual({
      inputKind: 'total',
      input: 100,
      cachedInput: 20,
      outputKind: 'total',
      output: 50,
      reasoningOutput: 30,
    });
    expect(usageFromOpenAI({ prompt_tokens: 8, total_tokens: 8 })).toEqual({
      inputKind: 'total',
      input: 8,
      outputKind: 'total',
      output: 0,
    });
  });

  it('reads Anthropic usage, cache reads and writes outside the input count', () => {
    expect(
      usageFromAnthropic({
        input_tokens: 1_000,
        output_tokens: 2_000,
        cache_read_input_tokens: 50_000,
        cache_creation_input_tokens: 10_000,
      }),
    ).toEqual({
      inputKind: 'uncached',
      input: 1_000,
      cachedInput: 50_000,
      cacheCreationInput: 10_000,
      outputKind: 'total',
      output: 2_000,
    });
  });

  it('reads Gemini usage metadata, thinking tokens outside the candidates count', () => {
    expect(
      usageFromGemini({
        promptTokenCount: 100_000,
        candidatesTokenCount: 1_000,
        cachedContentTokenCount: 40_000,
        thoughtsTokenCount: 4_000,
        totalTokenCount: 105_000,
      }),
    ).toEqual({
      inputKind: 'total',
      input: 100_000,
      cachedInput: 40_000,
      outputKind: 'visible',
      output: 1_000,
      reasoningOutput: 4_000,
    });
  });

  it('gives undefined without input or output counts, and passes bad counts on for computeCost to refuse', () => {
    expect(usageFromOpenAI(undefined)).toBeUndefined();
    expect(usageFromOpenAI({ completion_tokens: 3 })).toBeUndefined();
    expect(usageFromOpenAI({ input_tokens: 3 })).toBeUndefined();
    expect(usageFromAnthropic({ input_tokens: '3', output_tokens: 1 })).toBeUndefined();
    expect(usageFromGemini([])).toBeUndefined();
    const usage = usageFromOpenAI({ prompt_tokens: -1, completion_tokens: 2 });
    const price = builtInPriceTable().lookup('openai', 'gpt-4o');
    expect(usage && price && computeCost(price, usage)).toMatchObject({ ok: false, reason: 'invalid_token_count' });
  });
});
