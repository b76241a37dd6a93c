import { describe, expect, it } from 'vitest';
import { builtInPriceTable, loadPriceTable, type PriceQuery, resolveModelPrice } from '../src/index.js';
import { isLoopbackHost, modelKeyCandidates, normalizeModelName, stripVersionSuffix } from '../src/internal.js';

const table = builtInPriceTable();

/** `provider/model` of the entry a query resolves to, or the status. */
function resolved(query: PriceQuery, priceTable = table): string {
  const result = resolveModelPrice(priceTable, query);
  return result.status === 'priced' ? `${result.provider}/${result.model}` : result.status;
}

describe('model names', () => {
  it('lowercases, trims and strips provider prefixes', () => {
    expect(normalizeModelName('openai/gpt-4o')).toBe('gpt-4o');
    expect(normalizeModelName('models/gemini-2.5-pro')).toBe('gemini-2.5-pro');
    expect(normalizeModelName('  GPT-4o-Mini ')).toBe('gpt-4o-mini');
    expect(normalizeModelName('')).toBeUndefined();
    expect(normalizeModelName('openai/')).toBeUndefined();
    expect(normalizeModelName(42)).toBeUndefined();
    expect(normalizeModelName('x'.repeat(257))).toBeUndefined();
  });

  it.each([
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['claude-3-5-haiku-20241022', 'claude-3-5-haiku'],
    ['claude-3-5-haiku@20241022', 'claude-3-5-haiku'],
    ['claude-3-5-haiku-latest', 'claude-3-5-haiku'],
    ['gpt-4-0613', 'gpt-4'],
    ['mistral-large-2411', 'mistral-large'],
    ['gemini-2.0-flash-001', 'gemini-2.0-flash'],
    ['gpt-4o', undefined],
    ['o3', undefined],
    ['gpt-5.4', undefined],
    ['gemini-2.5-pro', undefined],
    ['claude-opus-4-1', undefined],
    ['model-12', undefined],
    ['2024-07-18', undefined],
    ['-latest', undefined],
    ['12345678', undefined],
    ['gpt-4o-mini-2024-7-18', undefined],
  ])('strips the version suffix of %s', (name, expected) => {
    expect(stripVersionSuffix(name)).toBe(expected);
  });

  it('gives the exact key first, then the family', () => {
    expect(modelKeyCandidates('openai/gpt-4o-mini-2024-07-18')).toEqual(['gpt-4o-mini-2024-07-18', 'gpt-4o-mini']);
    expect(modelKeyCandidates('gpt-4o')).toEqual(['gpt-4o']);
    expect(modelKeyCandidates(undefined)).toEqual([]);
  });

  it('stays linear on adversarial names', () => {
    // Names made of what the suffix rules look for, up to the length limit.
    for (const name of [
      '-'.repeat(256),
      '1'.repeat(256),
      '-1'.repeat(128),
      `${'-2024-07'.repeat(31)}-18`,
      '@'.repeat(256),
    ]) {
      expect(() => modelKeyCandidates(name)).not.toThrow();
    }
  });
});

describe('resolveModelPrice', () => {
  it('resolves dated snapshots and aliases to their family', () => {
    expect(resolved({ provider: 'openai', requestModel: 'gpt-4o-mini-2024-07-18' })).toBe('openai/gpt-4o-mini');
    expect(resolved({ provider: 'anthropic', requestModel: 'claude-3-5-haiku-20241022' })).toBe(
      'anthropic/claude-3-5-haiku',
    );
    expect(resolved({ provider: 'anthropic', requestModel: 'claude-3-5-haiku-latest' })).toBe(
      'anthropic/claude-3-5-haiku',
    );
    expect(resolved({ provider: 'anthropic', requestModel: 'claude-sonnet-4-5-20250929' })).toBe(
      'anthropic/claude-sonnet-4-5',
    );
    expect(resolved({ provider: 'anthropic', requestModel: 'claude-opus-4-1-20250805' })).toBe(
      'anthropic/claude-opus-4-1',
    );
    expect(resolved({ provider: 'openai', requestModel: 'o3-2025-04-16' })).toBe('openai/o3');
  });

  it('strips provider prefixes, as gateways and the Gemini API report names', () => {
    expect(resolved({ provider: 'openai', requestModel: 'openai/gpt-4o' })).toBe('openai/gpt-4o');
    expect(resolved({ provider: 'gcp.gemini', responseModel: 'models/gemini-2.5-pro' })).toBe(
      'gcp.gemini/gemini-2.5-pro',
    );
  });

  it('never takes the prices of a longer or shorter known name', () => {
    expect(resolved({ provider: 'openai', requestModel: 'gpt-4o' })).toBe('openai/gpt-4o');
    expect(resolved({ provider: 'openai', requestModel: 'gpt-4o-mini' })).toBe('openai/gpt-4o-mini');
    expect(resolved({ provider: 'openai', requestModel: 'o3' })).toBe('openai/o3');
    expect(resolved({ provider: 'openai', requestModel: 'o3-mini' })).toBe('openai/o3-mini');
    expect(resolved({ provider: 'openai', requestModel: 'o3-mini-2025-01-31' })).toBe('openai/o3-mini');
    expect(resolved({ provider: 'openai', requestModel: 'o3-pro' })).toBe('unpriced');
    expect(resolved({ provider: 'openai', requestModel: 'gpt-4o-mini-search-preview' })).toBe('unpriced');
    expect(resolved({ provider: 'openai', requestModel: 'gpt-4' })).toBe('unpriced');
    expect(resolved({ provider: 'anthropic', requestModel: 'claude-opus-4-7' })).toBe('unpriced');
  });

  it('prices a snapshot that has its own entry at its own price', () => {
    const result = resolveModelPrice(table, { provider: 'openai', responseModel: 'gpt-4o-2024-05-13' });
    expect(result).toMatchObject({ status: 'priced', model: 'gpt-4o-2024-05-13', price: { input: 5, output: 15 } });
    expect(resolved({ provider: 'openai', responseModel: 'gpt-4o-2024-08-06' })).toBe('openai/gpt-4o');
  });

  it('never guesses an unknown model or provider', () => {
    expect(resolved({ provider: 'openai', requestModel: 'gpt-99' })).toBe('unpriced');
    expect(resolved({ provider: 'openai' })).toBe('unpriced');
    expect(resolved({ provider: 'x_ai', requestModel: 'gpt-4o' })).toBe('unpriced');
    // A remote OpenAI-compatible gateway may bill anything: unpriced unless configured.
    expect(resolved({ provider: 'openai_compatible', requestModel: 'gpt-4o', serverAddress: 'gateway.example' })).toBe(
      'unpriced',
    );
    // Mistral's moving -latest aliases are not mapped to a version.
    expect(resolved({ provider: 'mistral_ai', requestModel: 'mistral-large-latest' })).toBe('unpriced');
    expect(resolved({ provider: 'mistral_ai', requestModel: 'mistral-large-2411' })).toBe(
      'mistral_ai/mistral-large-2411',
    );
  });

  it('maps an Azure deployment through the response model, preferring it to the request model', () => {
    const result = resolveModelPrice(table, {
      provider: 'azure.ai.openai',
      requestModel: 'prod-chat',
      responseModel: 'gpt-4o-mini-2024-07-18',
    });
    expect(result).toMatchObject({
      status: 'priced',
      provider: 'openai',
      model: 'gpt-4o-mini',
      from: 'response_model',
    });
    // Response model unknown: the request model is tried.
    expect(
      resolveModelPrice(table, { provider: 'openai', requestModel: 'gpt-4o', responseModel: 'gpt-4o-nextgen' }),
    ).toMatchObject({ status: 'priced', model: 'gpt-4o', from: 'request_model' });
    // A deployment name alone says nothing about the model.
    expect(resolved({ provider: 'azure.ai.openai', requestModel: 'prod-chat' })).toBe('unpriced');
  });

  it('prefers an Azure price configured by the user to the OpenAI list price', () => {
    const custom = loadPriceTable({ providers: { 'azure.ai.openai': { 'prod-chat': { input: 0.2, output: 0.7 } } } });
    expect(
      resolved({ provider: 'azure.ai.openai', requestModel: 'prod-chat', responseModel: 'gpt-4o-mini' }, custom),
    ).toBe('azure.ai.openai/prod-chat');
  });

  it('costs local providers 0 unless configured', () => {
    expect(resolveModelPrice(table, { provider: 'ollama', requestModel: 'llama3.2' })).toMatchObject({
      status: 'local',
      price: { input: 0, output: 0 },
    });
    for (const serverAddress of ['localhost', '127.0.0.1', '::1', '[::1]', '127.1.2.3']) {
      expect(resolved({ provider: 'openai_compatible', requestModel: 'qwen2.5', serverAddress })).toBe('local');
    }
    const custom = loadPriceTable({ providers: { ollama: { 'llama3.2': { input: 0.05, output: 0.1 } } } });
    expect(resolved({ provider: 'ollama', requestModel: 'llama3.2' }, custom)).toBe('ollama/llama3.2');
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['api.localhost', true],
    ['localhost.', true],
    ['127.0.0.1', true],
    ['127.255.255.255', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['127.0.0.256', false],
    ['127.0.0', false],
    ['128.0.0.1', false],
    ['localhost.example.com', false],
    ['mylocalhost', false],
    ['10.0.0.1', false],
    ['api.openai.com', false],
    ['', false],
    [undefined, false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
