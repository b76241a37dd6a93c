import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { beforeAll, describe, expect, it } from 'vitest';
import { anthropicInvokeBody, type BedrockClient, eventsOf, setupBedrockTest } from './utils/bedrock.js';
import { traceEachTest } from './utils/call-spans.js';
import { drain } from './utils/harness.js';
import { responseModelOf } from './utils/llm-server.js';
import { M } from './utils/metrics.js';

/** The GenAI client span of Bedrock calls, and their cost (priced by model id, else unpriced). */
const b = setupBedrockTest();
const messages = [{ role: 'user' as const, content: [{ text: 'hi' }] }];

let client: BedrockClient;

beforeAll(async () => {
  // One client for the file, its endpoint learnt at its first call (the SDK resolves it
  // asynchronously): later calls' spans carry server.address from their start.
  client = b.client();
  await client.send(new b.loaded.module.ConverseCommand({ modelId: 'anthropic.claude-test', messages }));
});

const spans = traceEachTest();

describe(`@aws-sdk/client-bedrock-runtime ${b.loaded.version}: call spans and cost`, () => {
  const { ConverseCommand, ConverseStreamCommand, InvokeModelCommand } = b.loaded.module;

  it('Converse: CLIENT span "chat {model}" under the active span, with stop reason, usage and server', async () => {
    b.t.server.ledger.clear();
    await spans.provider.getTracer('app').startActiveSpan('handle request', async (parent) => {
      await client.send(new ConverseCommand({ modelId: 'anthropic.claude-test', messages }));
      parent.end();
    });
    const [span, ...others] = spans.callSpans();
    expect(others).toEqual([]);
    const parent = spans.finished().find((s) => s.name === 'handle request');
    expect(span?.name).toBe('chat anthropic.claude-test');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    const ledger = b.t.server.totals();
    expect(span?.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': 'anthropic.claude-test',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': ledger.promptTokens,
      'gen_ai.usage.output_tokens': ledger.completionTokens,
      'server.address': '127.0.0.1',
      'server.port': b.t.server.port,
    });
  });

  it('InvokeModel (Anthropic body): the span has the message id and response model', async () => {
    await client.send(new InvokeModelCommand({ modelId: 'anthropic.claude-test', body: anthropicInvokeBody() }));
    expect(spans.callSpans()[0]?.attributes).toMatchObject({
      'gen_ai.response.id': 'msg_1',
      'gen_ai.response.model': responseModelOf('claude-test'),
    });
  });

  it('ConverseStream: the span ends when the stream settles, not at the first event', async () => {
    const output = await client.send(new ConverseStreamCommand({ modelId: 'anthropic.claude-test', messages }));
    const iterator = (output.stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    await iterator.next();
    expect(spans.callSpans()).toHaveLength(0);
    while (!(await iterator.next()).done) {
      // read to the end
    }
    expect(spans.callSpans().map((s) => s.attributes['gen_ai.response.finish_reasons'])).toEqual([['end_turn']]);
  });

  it('a failed call: status ERROR and error.type, no error text', async () => {
    await expect(
      client.send(new ConverseCommand({ modelId: 'anthropic.claude-test+fail-429', messages })),
    ).rejects.toThrow();
    const [span] = spans.callSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.status.message).toBeUndefined();
    expect(span?.attributes['error.type']).toBe('rate_limit');
  });

  it('cost: tokens x the built-in price of the global Claude Haiku 4.5 profile, cache reads and writes at their own prices', async () => {
    b.t.server.ledger.clear();
    const modelId = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
    await client.send(new ConverseCommand({ modelId, messages }));
    const output = await client.send(new ConverseStreamCommand({ modelId, messages }));
    await drain(eventsOf(output.stream));
    const c = await b.t.collect();
    const ledger = b.t.server.totals();
    // USD per million tokens: input 1, output 5 (no cache parts in these answers).
    const expected = (ledger.promptTokens * 1 + ledger.completionTokens * 5) / 1e6;
    expect(c.counter(M.cost, { 'gen_ai.provider.name': 'aws.bedrock' })).toBeCloseTo(expected, 12);
    expect(c.counter(M.unpriced)).toBe(0);
  });

  it('cost: a model id the price table does not know is counted as unpriced, never guessed', async () => {
    await client.send(new ConverseCommand({ modelId: 'anthropic.claude-test', messages }));
    const output = await client.send(new ConverseStreamCommand({ modelId: 'anthropic.claude-test', messages }));
    await drain(eventsOf(output.stream));
    const c = await b.t.collect();
    expect(c.counter(M.cost)).toBe(0);
    expect(c.counter(M.unpriced, { 'gen_ai.provider.name': 'aws.bedrock' })).toBe(2);
  });
});
