import { metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type InferenceRecord,
  inferenceTokenFields,
  LlmMetrics,
  PriceTableError,
  type TokenUsage,
  usageFromAnthropic,
  usageFromGemini,
  usageFromOpenAI,
} from '../src/index.js';
import { resetReportedForTests } from '../src/report-once.js';
import { collectByName, counterValue, histogramPoint, installProvider, pointsWith } from './collect.js';

const COST = 'llm_cost_usd_total';
const UNPRICED = 'llm_cost_unpriced_calls_total';
const DETAIL = 'llm_token_usage_detail_total';
const TOKENS = 'llm_request_token_count';
const TYPE = 'gen_ai.token.type';

type ByName = Awaited<ReturnType<typeof collectByName>>;

const cost = (byName: ByName, type: string, match: Record<string, unknown> = {}) =>
  counterValue(byName.get(COST), { ...match, [TYPE]: type });
const costTypes = (byName: ByName) => pointsWith(byName.get(COST), {}).map((p) => p.attributes[TYPE]);
const detail = (byName: ByName, type: string) => counterValue(byName.get(DETAIL), { [TYPE]: type });
const invalid = (byName: ByName, reason: string) =>
  counterValue(byName.get('llm_otel_invalid_input_total'), { 'llm_otel.reason': reason });
const tokenSum = (byName: ByName, type: string) => histogramPoint(byName.get(TOKENS), { [TYPE]: type }).sum;

/** The record fields of a wire usage (which must be readable). */
function fieldsOf(usage: TokenUsage | undefined) {
  if (usage === undefined) throw new Error('unreadable usage');
  return inferenceTokenFields(usage);
}

const OPENAI = { provider: 'openai', operation: 'chat', serverAddress: 'api.openai.com', durationSeconds: 1 };

/** A fresh recording API on a fresh provider: no price table, memo or series left by another test. */
function setUp() {
  const { reader } = installProvider();
  return { m: new LlmMetrics(), reader };
}

describe('cost of calls (llm_cost_usd_total)', () => {
  beforeEach(() => resetReportedForTests());
  afterEach(() => metrics.disable());

  it('is tokens x price per token type: gpt-4o-mini, 1M input of which 200k cached, 500k output', async () => {
    const { m, reader } = setUp();
    m.recordInference({
      ...OPENAI,
      model: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      ...fieldsOf(
        usageFromOpenAI({
          prompt_tokens: 1_000_000,
          completion_tokens: 500_000,
          prompt_tokens_details: { cached_tokens: 200_000 },
        }),
      ),
    });
    const byName = await collectByName(reader);
    const labels = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' };
    expect(cost(byName, 'input', labels)).toBeCloseTo(0.12, 12);
    expect(cost(byName, 'cached_input', labels)).toBeCloseTo(0.015, 12);
    expect(cost(byName, 'output', labels)).toBeCloseTo(0.3, 12);
    expect(costTypes(byName).sort()).toEqual(['cached_input', 'input', 'output']);
    // Labelled by provider, request model and token type only.
    expect(Object.keys(pointsWith(byName.get(COST), {})[0]?.attributes ?? {}).sort()).toEqual([
      'gen_ai.provider.name',
      'gen_ai.request.model',
      TYPE,
    ]);
    // The spec's token series keep the provider's total input; the detail is a subset of it.
    expect(tokenSum(byName, 'input')).toBe(1_000_000);
    expect(tokenSum(byName, 'output')).toBe(500_000);
    expect(detail(byName, 'cached_input')).toBe(200_000);
    expect(counterValue(byName.get('llm_token_generation_rate_total'))).toBe(500_000);
    expect(byName.has(UNPRICED)).toBe(false);
  });

  it('reads Anthropic counting (input without cache reads and writes) without double counting', async () => {
    const { m, reader } = setUp();
    m.recordInference({
      provider: 'anthropic',
      operation: 'chat',
      model: 'claude-sonnet-4-5',
      responseModel: 'claude-sonnet-4-5-20250929',
      durationSeconds: 2,
      ...fieldsOf(
        usageFromAnthropic({
          input_tokens: 1000,
          cache_read_input_tokens: 2000,
          cache_creation_input_tokens: 500,
          output_tokens: 300,
        }),
      ),
    });
    const byName = await collectByName(reader);
    expect(cost(byName, 'input')).toBeCloseTo((1000 * 3) / 1e6, 15);
    expect(cost(byName, 'cached_input')).toBeCloseTo((2000 * 0.3) / 1e6, 15);
    expect(cost(byName, 'cache_creation_input')).toBeCloseTo((500 * 3.75) / 1e6, 15);
    expect(cost(byName, 'output')).toBeCloseTo((300 * 15) / 1e6, 15);
    // Input tokens in one convention for every provider: all prompt tokens.
    expect(tokenSum(byName, 'input')).toBe(3500);
    expect(detail(byName, 'cached_input')).toBe(2000);
    expect(detail(byName, 'cache_creation_input')).toBe(500);
  });

  it('bills reasoning tokens at the output price, as a part of the output (OpenAI) or on top of it (Gemini)', async () => {
    const { m, reader } = setUp();
    m.recordInference({
      ...OPENAI,
      model: 'o3',
      ...fieldsOf(
        usageFromOpenAI({
          prompt_tokens: 100,
          completion_tokens: 1000,
          completion_tokens_details: { reasoning_tokens: 600 },
        }),
      ),
    });
    m.recordInference({
      provider: 'gcp.gemini',
      operation: 'generate_content',
      model: 'gemini-2.5-flash',
      durationSeconds: 1,
      ...fieldsOf(usageFromGemini({ promptTokenCount: 10, candidatesTokenCount: 100, thoughtsTokenCount: 50 })),
    });
    const byName = await collectByName(reader);
    const o3 = { 'gen_ai.request.model': 'o3' };
    expect(cost(byName, 'output', o3)).toBeCloseTo((400 * 8) / 1e6, 15);
    expect(cost(byName, 'reasoning', o3)).toBeCloseTo((600 * 8) / 1e6, 15);
    const gemini = { 'gen_ai.request.model': 'gemini-2.5-flash' };
    expect(cost(byName, 'output', gemini)).toBeCloseTo((100 * 2.5) / 1e6, 15);
    expect(cost(byName, 'reasoning', gemini)).toBeCloseTo((50 * 2.5) / 1e6, 15);
    // Output tokens always include reasoning; reasoning is a subset of them.
    const output = (model: string) =>
      histogramPoint(byName.get(TOKENS), { [TYPE]: 'output', 'gen_ai.request.model': model }).sum;
    expect(output('o3')).toBe(1000);
    expect(output('gemini-2.5-flash')).toBe(150);
    expect(counterValue(byName.get(DETAIL), { [TYPE]: 'reasoning', 'gen_ai.request.model': 'o3' })).toBe(600);
    expect(counterValue(byName.get('llm_token_generation_rate_total'), gemini)).toBe(150);
  });

  it('never guesses the price of an unknown model: no cost, one unpriced call with a bounded model label', async () => {
    const { m, reader } = setUp();
    const call: InferenceRecord = { ...OPENAI, model: 'gpt-unknown', inputTokens: 10, outputTokens: 5 };
    m.recordInference(call);
    m.recordInference(call);
    // No usage: nothing to price, nothing counted.
    m.recordInference({ ...OPENAI, model: 'gpt-unknown', error: 'timeout' });
    const byName = await collectByName(reader);
    expect(byName.has(COST)).toBe(false);
    const unpriced = pointsWith<number>(byName.get(UNPRICED), {});
    expect(unpriced.map((p) => [p.attributes, p.value])).toEqual([
      [{ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-unknown' }, 2],
    ]);
  });

  it('keeps the unpriced model label bounded by the model limit, and still prices a known model past it', async () => {
    const { reader } = installProvider();
    const m = new LlmMetrics({ maxDistinctModels: 1 });
    m.recordInference({ ...OPENAI, model: 'first-unknown', inputTokens: 1 });
    for (let i = 0; i < 50; i += 1) m.recordInference({ ...OPENAI, model: `flood-${i}`, inputTokens: 1 });
    // Beyond the limit the label is _OTHER, but the price is found by the real name.
    m.recordInference({ ...OPENAI, model: 'gpt-4o-mini', inputTokens: 1_000_000 });
    const byName = await collectByName(reader);
    const models = pointsWith<number>(byName.get(UNPRICED), {}).map((p) => [
      p.attributes['gen_ai.request.model'],
      p.value,
    ]);
    expect(models.sort()).toEqual([
      ['_OTHER', 50],
      ['first-unknown', 1],
    ]);
    expect(cost(byName, 'input', { 'gen_ai.request.model': '_OTHER' })).toBeCloseTo(0.15, 12);
  });

  it('costs local providers 0: Ollama, and an OpenAI-compatible server on localhost', async () => {
    const { m, reader } = setUp();
    m.recordInference({
      provider: 'ollama',
      operation: 'chat',
      model: 'llama3.2',
      durationSeconds: 1,
      inputTokens: 50,
      outputTokens: 20,
    });
    m.recordInference({
      provider: 'openai_compatible',
      operation: 'chat',
      model: 'qwen',
      serverAddress: 'localhost',
      durationSeconds: 1,
      inputTokens: 5,
      outputTokens: 5,
    });
    m.recordInference({
      provider: 'openai_compatible',
      operation: 'chat',
      model: 'qwen',
      serverAddress: 'llm.example.com',
      durationSeconds: 1,
      inputTokens: 5,
    });
    const byName = await collectByName(reader);
    const ollama = pointsWith<number>(byName.get(COST), { 'gen_ai.provider.name': 'ollama' });
    expect(ollama.map((p) => [p.attributes[TYPE], p.value]).sort()).toEqual([
      ['input', 0],
      ['output', 0],
    ]);
    expect(counterValue(byName.get(COST), { 'gen_ai.provider.name': 'openai_compatible' })).toBe(0);
    // The same model on a remote server has no price.
    expect(counterValue(byName.get(UNPRICED), { 'gen_ai.provider.name': 'openai_compatible' })).toBe(1);
  });

  it('uses a user price table over the built-in one, and goes back to it', async () => {
    const { m, reader } = setUp();
    const call: InferenceRecord = { ...OPENAI, model: 'gpt-4o-mini', inputTokens: 1_000_000 };
    m.recordInference(call); // built-in: 0.15
    m.setPriceTable({
      providers: {
        openai: { 'gpt-4o-mini': { input: 1, output: 2 } },
        ollama: { 'llama3.2': { input: 0.5, output: 1 } },
      },
    });
    m.recordInference(call); // override: 1
    m.recordInference({
      provider: 'ollama',
      operation: 'chat',
      model: 'llama3.2',
      durationSeconds: 1,
      outputTokens: 2_000_000,
    });
    m.setPriceTable(undefined);
    m.recordInference(call); // built-in again
    const byName = await collectByName(reader);
    expect(cost(byName, 'input', { 'gen_ai.provider.name': 'openai' })).toBeCloseTo(0.15 + 1 + 0.15, 12);
    expect(cost(byName, 'output', { 'gen_ai.provider.name': 'ollama' })).toBeCloseTo(2, 12);
  });

  it('refuses a bad price table with a PriceTableError naming the file and entry, and keeps the table in use', async () => {
    const { m, reader } = setUp();
    m.setPriceTable({ providers: { openai: { 'gpt-4o-mini': { input: 1, output: 2 } } } });
    let thrown: unknown;
    try {
      m.setPriceTable('{"providers":{"openai":{"gpt-x":{"input":1,"output":-1}}}}', { file: '/etc/prices.json' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PriceTableError);
    expect((thrown as Error).message).toMatch(/\/etc\/prices\.json.*gpt-x.*output/);
    m.recordInference({ ...OPENAI, model: 'gpt-4o-mini', inputTokens: 1_000_000 });
    expect(cost(await collectByName(reader), 'input')).toBeCloseTo(1, 12);
  });

  it('drops details it cannot place inside the total (and the cost), records the totals and counts it', async () => {
    const { m, reader } = setUp();
    m.recordInference({ ...OPENAI, model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 10, cachedInputTokens: 101 });
    m.recordInference({ ...OPENAI, model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 10, reasoningTokens: 11 });
    m.recordInference({ ...OPENAI, model: 'gpt-4o-mini', inputTokens: 100, inputTokensKind: 'cached' as never });
    m.recordInference({ ...OPENAI, model: 'gpt-4o-mini', inputTokens: 100, cachedInputTokens: -3 });
    const byName = await collectByName(reader);
    expect(invalid(byName, 'inconsistent_token_usage')).toBe(2);
    expect(invalid(byName, 'invalid_token_kind')).toBe(1);
    expect(invalid(byName, 'invalid_token_count')).toBe(1);
    expect(byName.has(DETAIL)).toBe(false);
    expect(tokenSum(byName, 'input')).toBe(400);
    // Only the call with a valid, consistent usage (the negative detail was dropped on its own) is priced.
    expect(cost(byName, 'input')).toBeCloseTo((100 * 0.15) / 1e6, 15);
  });

  it('records a detail reported as 0 (a series at 0) and no detail that was not reported', async () => {
    const { m, reader } = setUp();
    m.recordInference({ ...OPENAI, model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 2, cachedInputTokens: 0 });
    const byName = await collectByName(reader);
    expect(pointsWith<number>(byName.get(DETAIL), {}).map((p) => [p.attributes[TYPE], p.value])).toEqual([
      ['cached_input', 0],
    ]);
    expect(costTypes(byName).sort()).toEqual(['cached_input', 'input', 'output']);
  });
});
