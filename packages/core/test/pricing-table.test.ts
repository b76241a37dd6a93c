import { describe, expect, it } from 'vitest';
import { builtInPriceTable, loadPriceTable, PriceTableError, parsePriceTable } from '../src/index.js';
import { BUILT_IN_PRICES } from '../src/internal.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function errorOf(fn: () => unknown): PriceTableError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PriceTableError);
    return error as PriceTableError;
  }
  throw new Error('expected a PriceTableError');
}

describe('built-in price table', () => {
  const entries = [...builtInPriceTable().entries()];

  it('validates and covers the providers and model families of issue 11', () => {
    const keys = new Set(entries.map((e) => `${e.provider}/${e.model}`));
    for (const key of [
      'openai/gpt-4o-mini',
      'openai/gpt-4o',
      'openai/gpt-4.1',
      'openai/gpt-4.1-mini',
      'openai/gpt-4.1-nano',
      'openai/gpt-5',
      'openai/gpt-5-mini',
      'openai/gpt-5-nano',
      'openai/o3',
      'openai/o4-mini',
      'openai/text-embedding-3-small',
      'openai/text-embedding-3-large',
      'anthropic/claude-haiku-4-5',
      'anthropic/claude-3-5-haiku',
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-sonnet-4',
      'anthropic/claude-opus-4-5',
      'anthropic/claude-opus-4-1',
      'gcp.gemini/gemini-2.5-pro',
      'gcp.gemini/gemini-2.5-flash',
      'mistral_ai/mistral-large-2411',
      'mistral_ai/mistral-medium-2505',
      'mistral_ai/mistral-small-2506',
    ]) {
      expect(keys, key).toContain(key);
    }
  });

  it('gives every entry an http(s) source URL, a YYYY-MM-DD date and non-negative prices', () => {
    expect(entries.length).toBeGreaterThan(30);
    for (const { provider, model, price } of entries) {
      const where = `${provider}/${model}`;
      expect(price.source?.url, where).toMatch(/^https?:\/\/\S+$/);
      expect(price.source?.readOn, where).toMatch(ISO_DATE);
      expect(Date.parse(`${price.source?.readOn}T00:00:00Z`), where).toBeLessThanOrEqual(Date.parse('2026-11-30'));
      const all = [price, ...(price.tiers ?? [])];
      for (const p of all) {
        for (const value of [p.input, p.output, p.cachedInput ?? 0, p.cacheCreationInput ?? 0]) {
          expect(Number.isFinite(value) && value >= 0, where).toBe(true);
        }
      }
    }
  });

  it('has the published gpt-4o-mini prices and the long-context tier of Gemini 2.5 Pro', () => {
    const table = builtInPriceTable();
    expect(table.lookup('openai', 'gpt-4o-mini')).toMatchObject({ input: 0.15, cachedInput: 0.075, output: 0.6 });
    expect(table.lookup('gcp.gemini', 'gemini-2.5-pro')).toMatchObject({
      input: 1.25,
      output: 10,
      tiers: [{ aboveInputTokens: 200_000, input: 2.5, output: 15 }],
    });
    expect(table.lookup('anthropic', 'claude-sonnet-4-5')).toMatchObject({
      input: 3,
      cachedInput: 0.3,
      cacheCreationInput: 3.75,
      output: 15,
    });
  });

  it('uses the provider official pricing pages as source URLs', () => {
    const official: Record<string, string[]> = {
      openai: ['https://platform.openai.com/docs/pricing', 'https://developers.openai.com/'],
      anthropic: ['https://platform.claude.com/docs/en/about-claude/pricing'],
      'gcp.gemini': ['https://ai.google.dev/gemini-api/docs/pricing'],
      mistral_ai: ['https://mistral.ai/pricing'],
      'aws.bedrock': ['https://aws.amazon.com/bedrock/pricing/'],
    };
    for (const { provider, model, price } of entries) {
      const prefixes = official[provider] ?? [];
      expect(
        prefixes.some((p) => price.source?.url.startsWith(p)),
        `${provider}/${model}`,
      ).toBe(true);
    }
  });
});

describe('parsePriceTable', () => {
  it('accepts a user table as an object or as JSON text', () => {
    const table = { providers: { openai: { 'gpt-x': { input: 1, output: 2 } } } };
    expect(parsePriceTable(table).providers.openai?.['gpt-x']).toEqual({ input: 1, output: 2 });
    expect(parsePriceTable(JSON.stringify(table)).providers.openai?.['gpt-x']).toEqual({ input: 1, output: 2 });
  });

  it('names the file and the entry path of a bad price', () => {
    const error = errorOf(() =>
      parsePriceTable('{"providers":{"openai":{"gpt-x":{"input":1,"output":-2}}}}', { file: '/etc/prices.json' }),
    );
    expect(error.message).toBe(
      'price table /etc/prices.json: providers.openai["gpt-x"].output: must be a finite number >= 0 (USD per million tokens)',
    );
    expect(error.file).toBe('/etc/prices.json');
    expect(error.path).toBe('providers.openai["gpt-x"].output');
  });

  it.each([
    ['not JSON', '{"providers":', '', 'is not valid JSON'],
    ['not an object', '[]', '', 'must be an object'],
    ['a wrong version', { version: 2, providers: {} }, 'version', 'must be 1'],
    ['no providers', {}, 'providers', 'must be an object'],
    ['an unknown top-level key', { providers: {}, extra: 1 }, 'extra', 'unknown key "extra"'],
    [
      'an unknown entry key',
      { providers: { openai: { m: { input: 1, output: 1, inptu: 1 } } } },
      'providers.openai.m.inptu',
      'unknown key "inptu"',
    ],
    ['a missing input', { providers: { openai: { m: { output: 1 } } } }, 'providers.openai.m.input', 'is required'],
    [
      'a string price',
      { providers: { openai: { m: { input: '1', output: 1 } } } },
      'providers.openai.m.input',
      'finite number',
    ],
    [
      'a NaN price',
      { providers: { openai: { m: { input: Number.NaN, output: 1 } } } },
      'providers.openai.m.input',
      'finite number',
    ],
    [
      'an infinite price',
      { providers: { openai: { m: { input: 1, output: Number.POSITIVE_INFINITY } } } },
      'providers.openai.m.output',
      'finite number',
    ],
    [
      'an uppercase model',
      { providers: { openai: { 'GPT-X': { input: 1, output: 1 } } } },
      'providers.openai["GPT-X"]',
      'lowercase',
    ],
    [
      'a model with a slash',
      { providers: { openai: { 'a/b': { input: 1, output: 1 } } } },
      'providers.openai["a/b"]',
      "'/'",
    ],
    ['a bad provider name', { providers: { 'Open AI': {} } }, 'providers["Open AI"]', 'provider names'],
    ['an entry that is not an object', { providers: { openai: { m: 3 } } }, 'providers.openai.m', 'must be an object'],
    [
      'a bad source URL',
      { providers: { openai: { m: { input: 1, output: 1, source: { url: 'ftp://x', readOn: '2026-01-01' } } } } },
      'providers.openai.m.source.url',
      'http(s) URL',
    ],
    [
      'a bad source date',
      { providers: { openai: { m: { input: 1, output: 1, source: { url: 'https://x', readOn: '2026-02-30' } } } } },
      'providers.openai.m.source.readOn',
      'YYYY-MM-DD',
    ],
    [
      'tiers out of order',
      {
        providers: {
          g: {
            m: {
              input: 1,
              output: 1,
              tiers: [
                { aboveInputTokens: 200, input: 2, output: 2 },
                { aboveInputTokens: 100, input: 3, output: 3 },
              ],
            },
          },
        },
      },
      'providers.g.m.tiers[1].aboveInputTokens',
      'ascending',
    ],
    [
      'a tier at 0 tokens',
      { providers: { g: { m: { input: 1, output: 1, tiers: [{ aboveInputTokens: 0, input: 2, output: 2 }] } } } },
      'providers.g.m.tiers[0].aboveInputTokens',
      'positive integer',
    ],
    [
      'a tier missing a price its entry has',
      {
        providers: {
          g: { m: { input: 1, cachedInput: 0.1, output: 1, tiers: [{ aboveInputTokens: 10, input: 2, output: 2 }] } },
        },
      },
      'providers.g.m.tiers[0].cachedInput',
      'is required',
    ],
  ])('rejects %s', (_name, input, path, problem) => {
    const error = errorOf(() => parsePriceTable(input));
    expect(error.path).toBe(path);
    expect(error.message).toContain(problem);
    expect(error.message.startsWith('price table: ')).toBe(true);
  });

  it('refuses __proto__ as a provider or model name instead of setting a prototype', () => {
    expect(errorOf(() => parsePriceTable('{"providers":{"openai":{"__proto__":{"input":1,"output":1}}}}')).path).toBe(
      'providers.openai.__proto__',
    );
    expect(errorOf(() => parsePriceTable('{"providers":{"__proto__":{}}}')).path).toBe('providers.__proto__');
  });

  it('requires a source on every entry when asked to (as for the built-in table)', () => {
    const error = errorOf(() =>
      parsePriceTable({ providers: { openai: { m: { input: 1, output: 1 } } } }, { requireSource: true }),
    );
    expect(error.path).toBe('providers.openai.m.source');
  });

  it('accepts the built-in data with sources required', () => {
    expect(() => parsePriceTable(BUILT_IN_PRICES, { requireSource: true })).not.toThrow();
  });
});

describe('loadPriceTable', () => {
  it('merges a user table over the built-in one, entry by entry', () => {
    const table = loadPriceTable({
      providers: {
        openai: { 'gpt-4o-mini': { input: 0.1, output: 0.5 } },
        ollama: { llama3: { input: 0.01, output: 0.02 } },
      },
    });
    // Replaced as a whole: the built-in cached price does not leak into the user's entry.
    expect(table.lookup('openai', 'gpt-4o-mini')).toEqual({ input: 0.1, output: 0.5 });
    expect(table.lookup('openai', 'gpt-4o')).toMatchObject({ input: 2.5 });
    expect(table.lookup('ollama', 'llama3')).toEqual({ input: 0.01, output: 0.02 });
    // The built-in table is unchanged.
    expect(builtInPriceTable().lookup('openai', 'gpt-4o-mini')).toMatchObject({ input: 0.15 });
  });

  it('is the built-in table without overrides, and names the file of a bad one', () => {
    expect(loadPriceTable()).toBe(builtInPriceTable());
    const error = errorOf(() => loadPriceTable('{"providers":{"openai":{"x":{"input":1}}}}', { file: 'prices.json' }));
    expect(error.message).toBe('price table prices.json: providers.openai.x.output: is required');
  });
});
