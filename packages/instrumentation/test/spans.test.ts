import { type CallEvent, type CallEventSink, getLlmMetrics } from '@llm-otel/core';
import { type Context, context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeError, drain, errorsWithAndWithout } from './utils/harness.js';
import { OLLAMA_COUNTERS, OPENAI_USAGE, responseModelOf } from './utils/llm-server.js';
import { setupInstrumentationTest } from './utils/setup.js';
import { installStackContext } from './utils/stack-context.js';
import { FinishedSpans, type TestTracerProvider, testTracerProvider } from './utils/tracing.js';

const t = setupInstrumentationTest();
const { server, openai: instrumentation } = t;

const messages = [{ role: 'user' as const, content: 'Say hello' }];

let exporter: FinishedSpans;
let provider: TestTracerProvider | undefined;

/** Registers a global TracerProvider that keeps the finished spans in memory. */
function installTracing(): TestTracerProvider {
  exporter = new FinishedSpans();
  provider = testTracerProvider(exporter);
  trace.disable();
  trace.setGlobalTracerProvider(provider);
  return provider;
}

/** The finished spans of LLM calls (the app's own spans left out). */
function callSpans(): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@llm-otel/core');
}

function onlyCallSpan(): ReadableSpan {
  const spans = callSpans();
  expect(spans).toHaveLength(1);
  return spans[0] as ReadableSpan;
}

class KeepingSink implements CallEventSink {
  readonly events: Array<{ event: CallEvent; ctx: Context | undefined }> = [];
  emit(event: CallEvent, ctx?: Context): void {
    this.events.push({ event, ctx });
  }
}

beforeEach(() => {
  installStackContext();
});

afterEach(async () => {
  getLlmMetrics().setCallEventSink(undefined);
  trace.disable();
  context.disable();
  await provider?.shutdown();
  provider = undefined;
});

describe.each(t.openaiClients)('openai $version: call spans', (loaded) => {
  const client = () => t.openaiClient(loaded);

  it('a chat call: CLIENT span "chat {model}", the GenAI attributes, a child of the active span', async () => {
    const tracer = installTracing().getTracer('app');
    await tracer.startActiveSpan('handle request', async (parent) => {
      await client().chat.completions.create({ model: 'gpt-test', messages });
      parent.end();
    });

    const span = onlyCallSpan();
    const parent = exporter.getFinishedSpans().find((s) => s.name === 'handle request');
    expect(span.name).toBe('chat gpt-test');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(parent?.spanContext().traceId);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai_compatible',
      'gen_ai.request.model': 'gpt-test',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'gen_ai.response.model': responseModelOf('gpt-test'),
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': OPENAI_USAGE.chat.input,
      'gen_ai.usage.output_tokens': OPENAI_USAGE.chat.output,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a stream: the span is open after the first chunk and ends when the stream settles', async () => {
    installTracing();
    const stream = await client().chat.completions.create({ model: 'gpt-test+drip-5', messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(callSpans()).toHaveLength(0);
    while (!(await iterator.next()).done) {
      // read to the end
    }

    const span = onlyCallSpan();
    expect(span.name).toBe('chat gpt-test+drip-5');
    expect(span.attributes['gen_ai.response.id']).toBe('chatcmpl-1');
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(OPENAI_USAGE.chat.output);
  });

  it('a failed call: status ERROR and error.type, no error text; the app gets the same error', async () => {
    installTracing();
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client().chat.completions.create({ model: 'fail-429', messages }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));

    const span = onlyCallSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toBeUndefined();
    expect(span.attributes['error.type']).toBe('rate_limit');
    expect(span.events).toEqual([]);
    const message = (instrumented as Error).message;
    expect(message.length).toBeGreaterThan(0);
    expect(JSON.stringify(span.attributes)).not.toContain(message);
  });

  it('legacy completions and the Responses API: named by their operation, with the response id', async () => {
    installTracing();
    await client().completions.create({ model: 'gpt-test', prompt: 'Say hello' });
    await client().responses.create({ model: 'gpt-test', input: 'Say hello' });

    const [completion, response] = callSpans();
    expect(completion?.name).toBe('text_completion gpt-test');
    expect(completion?.attributes['gen_ai.response.id']).toBe('cmpl-1');
    expect(completion?.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(response?.name).toBe('chat gpt-test');
    expect(response?.attributes['gen_ai.response.id']).toBe('resp_1');
    expect(response?.attributes['gen_ai.usage.input_tokens']).toBe(OPENAI_USAGE.responses.input);
  });

  it("the call's event carries the span's trace and span id, and the response id and finish reasons", async () => {
    installTracing();
    const sink = new KeepingSink();
    getLlmMetrics().setCallEventSink(sink);
    await drain(await client().chat.completions.create({ model: 'gpt-test', messages, stream: true }));

    const span = onlyCallSpan();
    expect(sink.events).toHaveLength(1);
    const { event, ctx } = sink.events[0] as { event: CallEvent; ctx: Context };
    expect(trace.getSpanContext(ctx)).toEqual(span.spanContext());
    expect(event.attributes['gen_ai.response.id']).toBe('chatcmpl-1');
    expect(event.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
  });

  it('no TracerProvider: no span, also for a stream that settles after one is registered', async () => {
    trace.disable();
    const sink = new KeepingSink();
    getLlmMetrics().setCallEventSink(sink);
    await client().chat.completions.create({ model: 'gpt-test', messages });
    const stream = await client().chat.completions.create({ model: 'gpt-test', messages, stream: true });
    installTracing();
    await drain(stream);

    expect(callSpans()).toHaveLength(0);
    expect(sink.events.map((e) => e.ctx)).toEqual([undefined, undefined]);
    // The event still gets the response id (it has a use for it).
    expect(sink.events[0]?.event.attributes['gen_ai.response.id']).toBe('chatcmpl-1');
  });
});

describe.each(t.ollamaClients)('ollama $version: call spans', (loaded) => {
  const client = () => t.ollamaClient(loaded);

  it('chat, plain and streamed: one span each with the done_reason and the counters', async () => {
    installTracing();
    await client().chat({ model: 'llama-test', messages });
    const stream = await client().chat({ model: 'llama-test', messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    expect(callSpans()).toHaveLength(1);
    while (!(await iterator.next()).done) {
      // read to the end
    }

    const spans = callSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.name).toBe('chat llama-test');
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes['gen_ai.provider.name']).toBe('ollama');
      expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(OLLAMA_COUNTERS.chat.prompt_eval_count);
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(OLLAMA_COUNTERS.chat.eval_count);
    }
  });

  it('a failed call: status ERROR with error.type', async () => {
    installTracing();
    await expect(client().chat({ model: 'fail-500', messages })).rejects.toThrow();
    const span = onlyCallSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('server_error');
  });
});
