import { describe, expect, it } from 'vitest';
import { builtInPriceTable, computeCost, type ModelPrice, type TokenUsage } from '../src/index.js';

const table = builtInPriceTable();
function price(provider: string, model: string): ModelPrice {
  const entry = table.lookup(provider, model);
  if (entry === undefined) throw new Error(`no built-in price for ${provider}/${model}`);
  return entry;
}

function cost(p: ModelPrice, usage: TokenUsage) {
  const result = computeCost(p, usage);
  if (!result.ok) throw new Error(`unexpected failure: ${result.detail}`);
  return result;
}

describe('computeCost', () => {
  it('bills OpenAI cached tokens at the cached price and only the rest at the input price', () => {
    // gpt-4o-mini: 1,000,000 prompt tokens of which 200,000 cached, 500,000 output.
    const { cost: c } = cost(price('openai', 'gpt-4o-mini'), {
      inputKind: 'total',
      input: 1_000_000,
      cachedInput: 200_000,
      outputKind: 'total',
      output: 500_000,
    });
    expect(c.input).toBeCloseTo(0.12, 12);
    expect(c.cachedInput).toBeCloseTo(0.015, 12);
    expect(c.output).toBeCloseTo(0.3, 12);
    expect(c.cacheCreationInput).toBe(0);
    expect(c.reasoningOutput).toBe(0);
    expect(c.total).toBeCloseTo(0.435, 12);
  });

  it('bills OpenAI reasoning tokens as output, without counting them twice', () => {
    // o4-mini: 10,000 prompt, 3,000 completion of which 2,000 reasoning.
    const { cost: c } = cost(price('openai', 'o4-mini'), {
      inputKind: 'total',
      input: 10_000,
      outputKind: 'total',
      output: 3_000,
      reasoningOutput: 2_000,
    });
    expect(c.input).toBeCloseTo(0.011, 12);
    expect(c.output).toBeCloseTo(0.0044, 12);
    expect(c.reasoningOutput).toBeCloseTo(0.0088, 12);
    expect(c.total).toBeCloseTo(0.011 + 3_000 * 4.4e-6, 12);
  });

  it('adds Anthropic cache reads and writes to an input that excludes them', () => {
    // claude-sonnet-4-5: 1,000 uncached input, 50,000 cache read, 10,000 cache write, 2,000 output.
    const { cost: c, promptTokens } = cost(price('anthropic', 'claude-sonnet-4-5'), {
      inputKind: 'uncached',
      input: 1_000,
      cachedInput: 50_000,
      cacheCreationInput: 10_000,
      outputKind: 'total',
      output: 2_000,
    });
    expect(promptTokens).toBe(61_000);
    expect(c.input).toBeCloseTo(0.003, 12);
    expect(c.cachedInput).toBeCloseTo(0.015, 12);
    expect(c.cacheCreationInput).toBeCloseTo(0.0375, 12);
    expect(c.output).toBeCloseTo(0.03, 12);
    expect(c.total).toBeCloseTo(0.0855, 12);
  });

  it('adds Gemini thinking tokens reported outside the output count', () => {
    const { cost: c } = cost(price('gcp.gemini', 'gemini-2.5-flash'), {
      inputKind: 'total',
      input: 100_000,
      cachedInput: 40_000,
      outputKind: 'visible',
      output: 1_000,
      reasoningOutput: 4_000,
    });
    expect(c.input).toBeCloseTo(0.018, 12);
    expect(c.cachedInput).toBeCloseTo(0.0012, 12);
    expect(c.output).toBeCloseTo(0.0025, 12);
    expect(c.reasoningOutput).toBeCloseTo(0.01, 12);
  });

  it('chooses the long-context tier by the prompt size, cached tokens included', () => {
    const pro = price('gcp.gemini', 'gemini-2.5-pro');
    const at = (input: number, cachedInput = 0) =>
      cost(pro, { inputKind: 'total', input, cachedInput, outputKind: 'total', output: 10_000 });
    const short = at(200_000);
    expect(short.tierAboveInputTokens).toBeUndefined();
    expect(short.cost.input).toBeCloseTo(0.25, 12);
    expect(short.cost.output).toBeCloseTo(0.1, 12);
    const long = at(200_001, 100_001);
    expect(long.tierAboveInputTokens).toBe(200_000);
    expect(long.cost.input).toBeCloseTo(0.25, 12);
    expect(long.cost.cachedInput).toBeCloseTo(100_001 * 0.25e-6, 12);
    expect(long.cost.output).toBeCloseTo(0.15, 12);
    // Anthropic-style counts: the prompt is the sum of the three input counts.
    const summed = cost(pro, {
      inputKind: 'uncached',
      input: 100_000,
      cachedInput: 100_001,
      outputKind: 'total',
      output: 0,
    });
    expect(summed.tierAboveInputTokens).toBe(200_000);
  });

  it('bills cached tokens at the input price when the entry has no cached price', () => {
    const { cost: c } = cost(
      { input: 2, output: 6 },
      { inputKind: 'total', input: 1_000, cachedInput: 400, outputKind: 'total', output: 0 },
    );
    expect(c.input).toBeCloseTo(0.0012, 12);
    expect(c.cachedInput).toBeCloseTo(0.0008, 12);
  });

  it('sums exactly enough over many calls', () => {
    const mini = price('openai', 'gpt-4o-mini');
    let total = 0;
    for (let i = 0; i < 100_000; i += 1) {
      total += cost(mini, { inputKind: 'total', input: 1_000, cachedInput: 200, outputKind: 'total', output: 500 }).cost
        .total;
    }
    // Each call is 800*0.15 + 200*0.075 + 500*0.6 = 435 micro-dollars: 43.5 USD in all.
    expect(Math.abs(total - 43.5)).toBeLessThan(1e-9);
  });

  it.each<[string, Partial<TokenUsage>]>([
    ['a negative count', { input: -1 }],
    ['a fractional count', { output: 1.5 }],
    ['NaN', { cachedInput: Number.NaN }],
    ['an unsafe integer', { input: 2 ** 53 }],
    ['a string', { input: '10' as unknown as number }],
    ['cached tokens above a total input', { input: 100, cachedInput: 101 }],
    ['reasoning above a total output', { output: 10, reasoningOutput: 11 }],
    ['an unknown input kind', { inputKind: 'gross' as 'total' }],
  ])('refuses %s without throwing', (_name, change) => {
    const usage = { inputKind: 'total', input: 100, outputKind: 'total', output: 10, ...change } as TokenUsage;
    const result = computeCost(price('openai', 'gpt-4o'), usage);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ reason: 'invalid_token_count' });
  });

  it('costs nothing for zero tokens and embeddings bill input only', () => {
    const { cost: c } = cost(price('openai', 'text-embedding-3-small'), {
      inputKind: 'total',
      input: 1_000_000,
      outputKind: 'total',
      output: 0,
    });
    expect(c.total).toBeCloseTo(0.02, 12);
  });
});
