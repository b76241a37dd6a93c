import { getLlmMetrics, type ModelPrice } from '@llm-otel/core';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { BasicTracerProvider, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as sdkTrace from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VercelAIInstrumentation } from '../src/index.js';
import { TestContextManager } from '../test/utils/async-context.js';
import { requireClient } from '../test/utils/clients.js';
import { responseModelOf, SCRIPT } from '../test/utils/llm-server.js';
import { type Collected, M } from '../test/utils/metrics.js';
import { setupInstrumentationTest } from '../test/utils/setup.js';

/**
 * Cost and call spans of Vercel AI SDK calls (`ai` 7, the Node 24 matrix): the SDK's usage priced
 * per token type with the core price table (cache reads and writes at their own prices), and one
 * GenAI client span per model call, a child of the app's span, with the ledger's usage.
 */
const t = setupInstrumentationTest();
new VercelAIInstrumentation();

type Fn = (options: Record<string, unknown>) => unknown;
const ai = requireClient('ai') as { generateText: Fn; streamText: Fn };
const { createOpenAI } = requireClient('@ai-sdk/openai') as { createOpenAI: Fn };
const { createAnthropic } = requireClient('@ai-sdk/anthropic') as { createAnthropic: Fn };
const openai = () =>
  createOpenAI({ baseURL: t.server.openaiBaseURL, apiKey: 'test-key' }) as unknown as {
    chat(model: string): unknown;
  };
const anthropic = () =>
  createAnthropic({ baseURL: t.server.openaiBaseURL, apiKey: 'test-key' }) as unknown as (model: string) => unknown;
const prompt = 'hi';
// The matrix aliases sdk-trace-base to sdk-trace 3, where the class is `TracerProvider`.
const { InMemorySpanExporter, SimpleSpanProcessor } = sdkTrace;
// and SimpleSpanProcessor takes `{ exporter }` (2.x: the exporter itself).
const TracerProviderClass = ((sdkTrace as Record<string, unknown>).BasicTracerProvider ??
  (sdkTrace as Record<string, unknown>).TracerProvider) as typeof BasicTracerProvider;
const sdk3 = !('BasicTracerProvider' in sdkTrace);
const simpleProcessor = (exporter: InstanceType<typeof InMemorySpanExporter>) =>
  new SimpleSpanProcessor((sdk3 ? { exporter } : exporter) as never);

function priceOf(provider: string, model: string): ModelPrice {
  const price = getLlmMetrics().getPriceTable().lookup(provider, model);
  if (price === undefined) throw new Error(`no price for ${provider} ${model}`);
  return price;
}

function byType(c: Collected, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of c.counterSeries(name)) {
    const type = String(s.attributes['gen_ai.token.type']);
    out[type] = (out[type] ?? 0) + s.value;
  }
  return out;
}

function expectCosts(actual: Record<string, number>, expected: Record<string, number>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [type, usd] of Object.entries(expected)) expect(actual[type]).toBeCloseTo(usd, 15);
}

describe('Vercel AI SDK: cost', () => {
  it('openai gpt-4o-mini with 4 cached prompt tokens: cost = tokens x price per type', async () => {
    t.server.ledger.clear();
    await ai.generateText({
      model: openai().chat('gpt-4o-mini'),
      prompt,
      maxRetries: 0,
      headers: { [SCRIPT]: 'cached-4' },
    });
    const sent = t.server.totals();
    expect(sent.cachedTokens).toBe(4);
    const c = await t.collect();
    const price = priceOf('openai', 'gpt-4o-mini');
    expect(byType(c, M.tokenDetail)).toEqual({ cached_input: 4 });
    expectCosts(byType(c, M.cost), {
      input: ((sent.promptTokens - 4) * price.input) / 1e6,
      cached_input: (4 * (price.cachedInput ?? price.input)) / 1e6,
      output: (sent.completionTokens * price.output) / 1e6,
    });
    expect(c.counter(M.unpriced)).toBe(0);
  });

  it.each([
    ['generateText', false],
    ['streamText', true],
  ])(
    'anthropic claude-sonnet-4-6, %s, cache read 4 and write 3: total input, details and cost per type',
    async (_n, stream) => {
      t.server.ledger.clear();
      const options = {
        model: anthropic()('claude-sonnet-4-6'),
        prompt,
        maxRetries: 0,
        headers: { [SCRIPT]: 'cached-4+written-3' },
      };
      if (stream) {
        const result = ai.streamText(options) as { textStream: AsyncIterable<string> };
        for await (const _ of result.textStream) {
          // read to the end
        }
      } else await ai.generateText(options);
      const sent = t.server.totals();
      expect(sent).toMatchObject({ cachedTokens: 4, cacheWriteTokens: 3 });
      const c = await t.collect();
      expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(sent.promptTokens);
      expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(sent.completionTokens);
      expect(byType(c, M.tokenDetail)).toEqual({ cached_input: 4, cache_creation_input: 3 });
      const price = priceOf('anthropic', 'claude-sonnet-4-6');
      expectCosts(byType(c, M.cost), {
        input: ((sent.promptTokens - 7) * price.input) / 1e6,
        cached_input: (4 * (price.cachedInput ?? 0)) / 1e6,
        cache_creation_input: (3 * (price.cacheCreationInput ?? 0)) / 1e6,
        output: (sent.completionTokens * price.output) / 1e6,
      });
    },
  );
});

describe('Vercel AI SDK: call spans', () => {
  let exporter: InstanceType<typeof InMemorySpanExporter>;
  let provider: BasicTracerProvider;

  beforeEach(() => {
    context.disable();
    // The AI SDK starts a model call after awaits of its own, so the app's span reaches it only
    // through an async context manager (what a Node app registers).
    context.setGlobalContextManager(new TestContextManager());
    exporter = new InMemorySpanExporter();
    provider = new TracerProviderClass({ spanProcessors: [simpleProcessor(exporter)] });
    trace.disable();
    trace.setGlobalTracerProvider(provider);
  });

  afterEach(async () => {
    trace.disable();
    context.disable();
    await provider.shutdown();
  });

  const callSpans = (): ReadableSpan[] =>
    exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@llm-otel/core');

  it('generateText: one CLIENT span "chat {model}" under the app span, with response id, finish reason and the ledger usage', async () => {
    t.server.ledger.clear();
    await provider.getTracer('app').startActiveSpan('handle request', async (parent) => {
      await ai.generateText({ model: openai().chat('gpt-test'), prompt, maxRetries: 0 });
      parent.end();
    });
    const [span, ...others] = callSpans();
    expect(others).toEqual([]);
    const parent = exporter.getFinishedSpans().find((s) => s.name === 'handle request');
    expect(span?.name).toBe('chat gpt-test');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    const ledger = t.server.totals();
    expect(span?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.response.model': responseModelOf('gpt-test'),
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': ledger.promptTokens,
      'gen_ai.usage.output_tokens': ledger.completionTokens,
    });
    expect(typeof span?.attributes['gen_ai.response.id']).toBe('string');
  });

  it('streamText: the span ends when the stream is read to its end', async () => {
    const result = ai.streamText({ model: anthropic()('claude-test'), prompt, maxRetries: 0 }) as {
      textStream: AsyncIterable<string>;
    };
    for await (const _ of result.textStream) {
      // read to the end
    }
    expect(callSpans().map((s) => s.attributes['gen_ai.provider.name'])).toEqual(['anthropic']);
  });

  it('a failed call (429): status ERROR and error.type rate_limit, no error text', async () => {
    await expect(
      ai.generateText({ model: openai().chat('gpt-test+fail-429'), prompt, maxRetries: 0 }),
    ).rejects.toThrow();
    const [span] = callSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.status.message).toBeUndefined();
    expect(span?.attributes['error.type']).toBe('rate_limit');
  });
});
