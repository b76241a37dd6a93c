import { getLlmMetrics, type ModelPrice } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { setupAnthropicTest } from './utils/anthropic.js';
import { drain } from './utils/harness.js';
import { SCRIPT } from './utils/llm-server.js';
import { type Collected, M } from './utils/metrics.js';

/**
 * Anthropic counting through the real client: `input_tokens` leave out the cache reads and writes,
 * which the recorded input tokens include (as the GenAI conventions count, and as the simulator's
 * ledger holds them) and which are kept as token types of their own, priced with the core price
 * table (Claude models are in it) at their own prices.
 */
const a = setupAnthropicTest();
const { t } = a;
const messages = [{ role: 'user' as const, content: 'hi' }];
const MODEL = 'claude-sonnet-4-6';
const scripted = { headers: { [SCRIPT]: 'cached-4+written-3' } };

function priceOf(model: string): ModelPrice {
  const price = getLlmMetrics().getPriceTable().lookup('anthropic', model);
  if (price === undefined) throw new Error(`no price for anthropic ${model}`);
  return price;
}

function byType(c: Collected, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of c.counterSeries(name, { 'gen_ai.provider.name': 'anthropic' })) {
    const type = String(s.attributes['gen_ai.token.type']);
    out[type] = (out[type] ?? 0) + s.value;
  }
  return out;
}

it('the claude-sonnet-4-6 prices the tests use are the documented ones (3, cache read 0.3, write 3.75, output 15 USD/M)', () => {
  expect(priceOf(MODEL)).toMatchObject({ input: 3, cachedInput: 0.3, cacheCreationInput: 3.75, output: 15 });
});

describe(`@anthropic-ai/sdk ${a.loaded.version}: usage and cost`, () => {
  it.each([
    ['plain', false],
    ['streamed', true],
  ])(
    '%s: input = input_tokens + cache read + cache write (the ledger); details and cost per token type',
    async (_name, stream) => {
      t.server.ledger.clear();
      const client = a.client();
      if (stream)
        await drain(await client.messages.create({ model: MODEL, max_tokens: 64, messages, stream }, scripted));
      else await client.messages.create({ model: MODEL, max_tokens: 64, messages }, scripted);
      const sent = t.server.totals();
      expect(sent).toMatchObject({ cachedTokens: 4, cacheWriteTokens: 3 });
      const c = await t.collect();
      expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(sent.promptTokens);
      expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(sent.completionTokens);
      expect(byType(c, M.tokenDetail)).toEqual({ cached_input: 4, cache_creation_input: 3 });
      const price = priceOf(MODEL);
      const cost = byType(c, M.cost);
      const expected: Record<string, number> = {
        input: ((sent.promptTokens - 7) * price.input) / 1e6,
        cached_input: (4 * (price.cachedInput ?? 0)) / 1e6,
        cache_creation_input: (3 * (price.cacheCreationInput ?? 0)) / 1e6,
        output: (sent.completionTokens * price.output) / 1e6,
      };
      expect(Object.keys(cost).sort()).toEqual(Object.keys(expected).sort());
      for (const [type, usd] of Object.entries(expected)) expect(cost[type]).toBeCloseTo(usd, 15);
      expect(c.counter(M.unpriced)).toBe(0);
      expect(c.counter(M.invalidInput)).toBe(0);
    },
  );

  it('thinking streamed first: the time to first token is the first thinking delta and the thinking is timed', async () => {
    t.server.ledger.clear();
    await drain(
      await a.client().messages.create({ model: 'claude-test+think', max_tokens: 64, messages, stream: true }),
    );
    const c = await t.collect();
    expect(c.count(M.ttft)).toBe(1);
    // 8 output tokens (thinking included), all timed: one time per output token.
    expect(c.count(M.tpot)).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(t.server.totals().completionTokens);
  });
});
