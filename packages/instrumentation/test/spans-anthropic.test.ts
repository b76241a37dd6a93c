import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { setupAnthropicTest } from './utils/anthropic.js';
import { traceEachTest } from './utils/call-spans.js';
import { responseModelOf } from './utils/llm-server.js';

/** The GenAI client span of `@anthropic-ai/sdk` calls (its own file: the Anthropic preamble is its own). */
const a = setupAnthropicTest();
const messages = [{ role: 'user' as const, content: 'hi' }];
const body = (model = 'claude-test') => ({ model, max_tokens: 64, messages });

const spans = traceEachTest();

describe(`@anthropic-ai/sdk ${a.loaded.version}: call spans`, () => {
  it('messages.create: CLIENT span "chat {model}" under the active span, with id, stop reason and usage', async () => {
    await spans.provider.getTracer('app').startActiveSpan('handle request', async (parent) => {
      await a.client().messages.create(body());
      parent.end();
    });
    const [span, ...others] = spans.callSpans();
    expect(others).toEqual([]);
    const parent = spans.finished().find((s) => s.name === 'handle request');
    expect(span?.name).toBe('chat claude-test');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    const ledger = a.t.server.totals();
    expect(span?.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-test',
      'gen_ai.response.model': responseModelOf('claude-test'),
      'gen_ai.response.id': 'msg_1',
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': ledger.promptTokens,
      'gen_ai.usage.output_tokens': ledger.completionTokens,
    });
  });

  it('a stream: the span ends when the stream settles, not at the first event', async () => {
    const stream = await a.client().messages.create({ ...body(), stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    expect(spans.callSpans()).toHaveLength(0);
    while (!(await iterator.next()).done) {
      // read to the end
    }
    expect(spans.callSpans().map((s) => s.attributes['gen_ai.response.finish_reasons'])).toEqual([['end_turn']]);
  });

  it('a failed call: status ERROR and error.type, no error text', async () => {
    await expect(a.client().messages.create(body('fail-429'))).rejects.toThrow();
    const [span] = spans.callSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.status.message).toBeUndefined();
    expect(span?.attributes['error.type']).toBe('rate_limit');
  });
});
