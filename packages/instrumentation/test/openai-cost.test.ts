import { getLlmMetrics, type ModelPrice } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import type { OpenAIClass } from './utils/harness.js';
import { drain } from './utils/harness.js';
import { OLLAMA_COUNTERS, OPENAI_USAGE, REASONING_TOKENS, SCRIPT } from './utils/llm-server.js';
import { type Collected, M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

/**
 * Usage details and cost of calls through the real clients: cached and reasoning tokens are read
 * from the usage (the final usage chunk of streams) and priced per token type with the core price
 * table. The simulator is a loopback server (a local, free provider by default), so the calls are
 * attributed to `openai` here, as they would be against api.openai.com; AzureOpenAI keeps its own.
 */
const t = setupInstrumentationTest({
  openai: {
    streamUsage: 'always',
    providerName: (endpoint) => (endpoint.provider === 'azure.ai.openai' ? undefined : 'openai'),
  },
});

const messages = [{ role: 'user' as const, content: 'hi' }];

/** USD per million tokens of a model, from the core price table in use. */
function priceOf(provider: string, model: string): ModelPrice {
  const price = getLlmMetrics().getPriceTable().lookup(provider, model);
  if (price === undefined) throw new Error(`no price for ${provider} ${model}`);
  return price;
}

/** Cost series by token type, for one provider. */
function costs(c: Collected, provider = 'openai'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of c.counterSeries(M.cost, { 'gen_ai.provider.name': provider })) {
    const type = String(s.attributes['gen_ai.token.type']);
    out[type] = (out[type] ?? 0) + s.value;
  }
  return out;
}

function details(c: Collected): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of c.counterSeries(M.tokenDetail)) {
    const type = String(s.attributes['gen_ai.token.type']);
    out[type] = (out[type] ?? 0) + s.value;
  }
  return out;
}

/**
 * The cost per token type of a call of `input` prompt tokens (`cached` of them cached) and `output`
 * tokens (`reasoning` of them reasoning); a detail the call did not report has no series.
 */
function expectedCosts(
  price: ModelPrice,
  input: number,
  cached: number | undefined,
  output: number,
  reasoning: number | undefined,
): Record<string, number> {
  const perToken = (usdPerMillion: number) => usdPerMillion / 1e6;
  const expected: Record<string, number> = {
    input: (input - (cached ?? 0)) * perToken(price.input),
    output: (output - (reasoning ?? 0)) * perToken(price.output),
  };
  if (cached !== undefined) expected.cached_input = cached * perToken(price.cachedInput ?? price.input);
  if (reasoning !== undefined) expected.reasoning = reasoning * perToken(price.output);
  return expected;
}

function expectCosts(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [type, usd] of Object.entries(expected)) expect(actual[type]).toBeCloseTo(usd, 15);
}

it('the gpt-4o-mini prices the tests use are the documented ones (input 0.15, cached 0.075, output 0.60 USD/M)', () => {
  expect(priceOf('openai', 'gpt-4o-mini')).toMatchObject({ input: 0.15, cachedInput: 0.075, output: 0.6 });
});

describe.each(t.openaiClients)('openai $version', (loaded) => {
  const client = () => t.openaiClient(loaded);
  const scripted = (script: string) => ({ headers: { [SCRIPT]: script } });

  it('chat: 11 prompt tokens of which 4 cached, 7 output: cost = tokens x price per type (one literal check)', async () => {
    const completion = await client().chat.completions.create({ model: 'gpt-4o-mini', messages }, scripted('cached-4'));
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(4);
    const c = await t.collect();
    const { input, output } = OPENAI_USAGE.chat;
    expectCosts(costs(c), expectedCosts(priceOf('openai', 'gpt-4o-mini'), input, 4, output, undefined));
    // (11 - 4) x 0.15 + 4 x 0.075 + 7 x 0.60 USD per million tokens.
    const total = Object.values(costs(c)).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(5.55e-6, 15);
    expect(details(c)).toEqual({ cached_input: 4 });
    // The spec's input count still counts every prompt token, cached ones included.
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(input);
    expect(c.counter(M.unpriced)).toBe(0);
  });

  it('chat stream: the details come from the final usage chunk', async () => {
    const stream = await client().chat.completions.create(
      { model: 'gpt-4o-mini', messages, stream: true },
      scripted('cached-4'),
    );
    const { items, error } = await drain(stream);
    expect(error).toBeUndefined();
    // The usage chunk we asked for is withheld from the app.
    expect(items.every((chunk) => (chunk as { usage?: unknown }).usage === undefined)).toBe(true);
    const c = await t.collect();
    const { input, output } = OPENAI_USAGE.chat;
    expectCosts(costs(c), expectedCosts(priceOf('openai', 'gpt-4o-mini'), input, 4, output, undefined));
    expect(details(c)).toEqual({ cached_input: 4 });
  });

  it('o-series chat: reasoning tokens are split from the output and priced as output', async () => {
    const completion = await client().chat.completions.create({ model: 'o4-mini', messages });
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(REASONING_TOKENS);
    const c = await t.collect();
    const { input, output } = OPENAI_USAGE.chat;
    expectCosts(costs(c), expectedCosts(priceOf('openai', 'o4-mini'), input, undefined, output, REASONING_TOKENS));
    expect(details(c)).toEqual({ reasoning: REASONING_TOKENS });
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(output);
  });

  it('o-series chat stream: reasoning from the final usage chunk', async () => {
    await drain(await client().chat.completions.create({ model: 'o4-mini', messages, stream: true }));
    const c = await t.collect();
    expect(details(c)).toEqual({ reasoning: REASONING_TOKENS });
    const { input, output } = OPENAI_USAGE.chat;
    expectCosts(costs(c), expectedCosts(priceOf('openai', 'o4-mini'), input, undefined, output, REASONING_TOKENS));
  });

  it('responses, plain and streamed: input_tokens_details and output_tokens_details', async () => {
    await client().responses.create({ model: 'gpt-4o-mini', input: 'hi' }, scripted('cached-5+reason-2'));
    await drain(
      await client().responses.create(
        { model: 'gpt-4o-mini', input: 'hi', stream: true },
        scripted('cached-5+reason-2'),
      ),
    );
    const c = await t.collect();
    const { input, output } = OPENAI_USAGE.responses;
    const one = expectedCosts(priceOf('openai', 'gpt-4o-mini'), input, 5, output, 2);
    expectCosts(costs(c), Object.fromEntries(Object.entries(one).map(([type, usd]) => [type, 2 * usd])));
    expect(details(c)).toEqual({ cached_input: 10, reasoning: 4 });
  });

  it('legacy completions: cached tokens of prompt_tokens_details', async () => {
    await client().completions.create({ model: 'gpt-4o-mini', prompt: 'hi' }, scripted('cached-3'));
    const c = await t.collect();
    const { input, output } = OPENAI_USAGE.completions;
    expectCosts(costs(c), expectedCosts(priceOf('openai', 'gpt-4o-mini'), input, 3, output, undefined));
  });

  it('embeddings: input tokens only, at the input price', async () => {
    await client().embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    const c = await t.collect();
    expectCosts(costs(c), {
      input: (OPENAI_USAGE.embeddings.input * priceOf('openai', 'text-embedding-3-small').input) / 1e6,
    });
    expect(details(c)).toEqual({});
  });

  it('AzureOpenAI: priced through the model of the response (deployment gpt-4o-mini)', async () => {
    const AzureOpenAI = loaded.module.AzureOpenAI as OpenAIClass;
    const azure = new AzureOpenAI({ apiKey: 'k', endpoint: t.server.origin, apiVersion: '2024-10-21', maxRetries: 0 });
    await azure.chat.completions.create({ model: 'gpt-4o-mini', messages }, scripted('cached-4'));
    const c = await t.collect();
    const { input, output } = OPENAI_USAGE.chat;
    expectCosts(
      costs(c, 'azure.ai.openai'),
      expectedCosts(priceOf('openai', 'gpt-4o-mini'), input, 4, output, undefined),
    );
  });

  it('a model without a price records no cost and is counted as unpriced', async () => {
    await client().chat.completions.create({ model: 'gpt-test', messages });
    const c = await t.collect();
    expect(c.counterSeries(M.cost)).toEqual([]);
    expect(c.counter(M.unpriced, { 'gen_ai.request.model': 'gpt-test' })).toBe(1);
  });
});

describe.each(t.ollamaClients)('ollama $version', (loaded) => {
  it('chat: usage as prompt_eval_count / eval_count, cost 0 as a local provider', async () => {
    await t.ollamaClient(loaded).chat({ model: 'llama3.2', messages });
    const c = await t.collect();
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(OLLAMA_COUNTERS.chat.prompt_eval_count);
    const series = c.counterSeries(M.cost, { 'gen_ai.provider.name': 'ollama' });
    expect(series.map((s) => s.attributes['gen_ai.token.type']).sort()).toEqual(['input', 'output']);
    expect(series.every((s) => s.value === 0)).toBe(true);
    expect(c.counter(M.unpriced)).toBe(0);
  });
});
