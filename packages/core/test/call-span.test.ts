import { type Context, context, metrics as metricsApi, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CALL_SPAN_TRACER_NAME,
  type CallEvent,
  type CallEventSink,
  type InferenceRecord,
  LlmMetrics,
  NO_CALL_SPAN,
} from '../src/index.js';
import { collectByName, counterValue, histogramPoint, installProvider } from './collect.js';
import { StackContextManager } from './stack-context.js';

class KeepingSink implements CallEventSink {
  readonly events: Array<{ event: CallEvent; ctx: Context | undefined }> = [];
  emit(event: CallEvent, ctx?: Context): void {
    this.events.push({ event, ctx });
  }
}

const START = {
  provider: 'openai',
  operation: 'chat',
  model: 'gpt-4o-mini',
  serverAddress: 'api.openai.com',
  serverPort: 443,
};

const CALL: InferenceRecord = {
  ...START,
  responseModel: 'gpt-4o-mini-2024-07-18',
  durationSeconds: 1.5,
  inputTokens: 1000,
  outputTokens: 200,
  cachedInputTokens: 400,
  responseId: 'chatcmpl-123',
  finishReasons: ['stop'],
};

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider;

function installTracing(options: { sampled?: boolean } = {}): void {
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(options.sampled === false ? { sampler: new AlwaysOffSampler() } : {}),
  });
  trace.disable();
  trace.setGlobalTracerProvider(provider);
}

function spans(): ReadableSpan[] {
  return exporter.getFinishedSpans();
}

/** The finished span at `index` (fails the test when there is none). */
function spanAt(index: number): ReadableSpan {
  const span = spans()[index];
  if (span === undefined) throw new Error(`no finished span at ${index}`);
  return span;
}

function ms([seconds, nanos]: [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}

beforeEach(() => {
  context.disable();
  context.setGlobalContextManager(new StackContextManager());
});

afterEach(async () => {
  trace.disable();
  context.disable();
  await provider?.shutdown();
});

describe('call spans with a TracerProvider', () => {
  it('starts a CLIENT span named {operation} {model} with the start attributes, ended with the outcome', () => {
    installTracing();
    const metrics = new LlmMetrics();
    const span = metrics.startCallSpan(START);
    expect(span).not.toBe(NO_CALL_SPAN);
    expect(spans()).toHaveLength(0);
    metrics.recordInference(CALL, span);

    expect(spans()).toHaveLength(1);
    const s = spanAt(0);
    expect(s.name).toBe('chat gpt-4o-mini');
    expect(s.kind).toBe(SpanKind.CLIENT);
    expect(s.instrumentationScope.name).toBe(CALL_SPAN_TRACER_NAME);
    expect(s.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'server.address': 'api.openai.com',
      'server.port': 443,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-123',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.usage.cache_read.input_tokens': 400,
    });
    expect(s.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('names the span by the operation alone when the call has no model', () => {
    installTracing();
    const metrics = new LlmMetrics();
    metrics.recordInference({ provider: 'ollama', operation: 'embeddings', durationSeconds: 0.1 });
    expect(spans().map((s) => s.name)).toEqual(['embeddings']);
  });

  it('makes the span a child of the context active when the call starts', () => {
    installTracing();
    const metrics = new LlmMetrics();
    const parent = provider.getTracer('app').startSpan('handle request');
    const span = context.with(trace.setSpan(context.active(), parent), () => metrics.startCallSpan(START));
    // Recorded outside the parent's context (as a stream settling later would be).
    metrics.recordInference(CALL, span);
    parent.end();

    const call = spans().find((s) => s.name === 'chat gpt-4o-mini');
    expect(call?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(call?.spanContext().traceId).toBe(parent.spanContext().traceId);
  });

  it('sets status ERROR and error.type on a failed call, with no error text anywhere', () => {
    installTracing();
    const metrics = new LlmMetrics();
    const secret = 'the prompt was: my card is 4111-1111-1111-1111';
    const error = Object.assign(new Error(secret), { status: 429 });
    metrics.recordInference({ ...START, durationSeconds: 0.2, error }, metrics.startCallSpan(START));

    const s = spanAt(0);
    expect(s.status.code).toBe(SpanStatusCode.ERROR);
    expect(s.status.message ?? '').not.toContain('card');
    expect(s.attributes['error.type']).toBe('rate_limit');
    expect(s.events).toEqual([]);
    expect(JSON.stringify({ attributes: s.attributes, status: s.status, name: s.name })).not.toContain('4111');
  });

  it('gives a call recorded by hand a span that started durationSeconds before it was recorded, under the active span', () => {
    installTracing();
    const metrics = new LlmMetrics();
    const parent = provider.getTracer('app').startSpan('job');
    context.with(trace.setSpan(context.active(), parent), () => metrics.recordInference(CALL));
    parent.end();

    const call = spans().find((s) => s.name === 'chat gpt-4o-mini');
    expect(call).toBeDefined();
    expect(call?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(ms(call?.endTime as [number, number]) - ms(call?.startTime as [number, number])).toBeCloseTo(1500, 0);
    expect(call?.attributes['gen_ai.usage.output_tokens']).toBe(200);
  });

  it('ends a started span once, also when its record is invalid (without outcome)', () => {
    installTracing();
    const metrics = new LlmMetrics();
    const span = metrics.startCallSpan(START);
    metrics.recordInference({ ...CALL, durationSeconds: Number.NaN }, span);
    metrics.recordInference(CALL, span);

    expect(spans()).toHaveLength(1);
    expect(spanAt(0).attributes['gen_ai.response.id']).toBeUndefined();
  });

  it('takes anything but a handle of startCallSpan() (null, a plain object) as no span, without throwing', () => {
    installTracing();
    const metrics = new LlmMetrics();
    expect(() => metrics.recordInference(CALL, null as never)).not.toThrow();
    expect(() => metrics.recordInference(CALL, { span: 1, ended: false } as never)).not.toThrow();
    expect(spans().map((s) => s.name)).toEqual(['chat gpt-4o-mini', 'chat gpt-4o-mini']);
  });

  it('hands the event sink the context of the call span, so the log record carries its ids', () => {
    installTracing();
    const metrics = new LlmMetrics();
    const sink = new KeepingSink();
    metrics.setCallEventSink(sink);
    metrics.recordInference(CALL, metrics.startCallSpan(START));
    metrics.recordInference({ ...CALL, responseId: 'by-hand' });

    expect(sink.events).toHaveLength(2);
    const started = spanAt(0);
    const byHand = spanAt(1);
    expect(trace.getSpanContext(sink.events[0]?.ctx as Context)).toEqual(started.spanContext());
    expect(trace.getSpanContext(sink.events[1]?.ctx as Context)).toEqual(byHand.spanContext());
  });

  it('follows the global provider: spans stop with trace.disable() and go to a provider registered later', () => {
    installTracing();
    const metrics = new LlmMetrics();
    metrics.recordInference(CALL);
    const first = exporter;
    trace.disable();
    expect(metrics.startCallSpan(START)).toBe(NO_CALL_SPAN);
    metrics.recordInference(CALL);
    installTracing();
    metrics.recordInference(CALL);

    expect(first.getFinishedSpans()).toHaveLength(1);
    expect(spans()).toHaveLength(1);
  });

  it('gathers no outcome for a span that is not recording (sampled out)', () => {
    installTracing({ sampled: false });
    const metrics = new LlmMetrics();
    const span = metrics.startCallSpan(START);
    expect(span.recording).toBe(false);
    metrics.recordInference(CALL, span);
    expect(spans()).toHaveLength(0);
  });
});

describe('call spans without a TracerProvider', () => {
  it('starts none: startCallSpan returns the shared NO_CALL_SPAN and the event gets no span context', () => {
    trace.disable();
    const metrics = new LlmMetrics();
    const sink = new KeepingSink();
    metrics.setCallEventSink(sink);
    const span = metrics.startCallSpan(START);
    expect(span).toBe(NO_CALL_SPAN);
    expect(span.span).toBeUndefined();
    metrics.recordInference(CALL, span);
    metrics.recordInference(CALL);
    expect(sink.events.map((e) => e.ctx)).toEqual([undefined, undefined]);
  });
});

describe('the callSpans option', () => {
  it('off: no span for started or hand-recorded calls, though a TracerProvider is registered', () => {
    installTracing();
    const metrics = new LlmMetrics({ callSpans: false });
    expect(metrics.startCallSpan(START)).toBe(NO_CALL_SPAN);
    metrics.recordInference(CALL, metrics.startCallSpan(START));
    metrics.recordInference(CALL);
    expect(spans()).toHaveLength(0);
    metrics.configure({ callSpans: undefined });
    metrics.recordInference(CALL);
    expect(spans()).toHaveLength(1);
  });

  it('is read from LLM_OTEL_CALL_SPANS=false and checked like the other options', () => {
    process.env.LLM_OTEL_CALL_SPANS = 'false';
    try {
      expect(new LlmMetrics().getOptions().callSpans).toBe(false);
    } finally {
      delete process.env.LLM_OTEL_CALL_SPANS;
    }
    expect(new LlmMetrics().getOptions().callSpans).toBe(true);
    expect(() => new LlmMetrics({ callSpans: 'no' as never })).toThrow(/callSpans must be true or false/);
  });
});

describe('a failing tracer', () => {
  it('costs the span only: the call is recorded, its event emitted, the failure counted', async () => {
    const { reader } = installProvider();
    // A provider whose tracer throws (an SDK bug or a broken custom provider).
    const broken = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('tracer failure');
        },
        startActiveSpan: () => {
          throw new Error('tracer failure');
        },
      }),
    };
    trace.disable();
    trace.setGlobalTracerProvider(broken);
    try {
      const metrics = new LlmMetrics();
      const sink = new KeepingSink();
      metrics.setCallEventSink(sink);
      expect(metrics.startCallSpan(START)).toBe(NO_CALL_SPAN);
      metrics.recordInference(CALL);

      expect(sink.events).toHaveLength(1);
      const collected = await collectByName(reader);
      expect(histogramPoint(collected.get('llm_inference_latency_seconds')).count).toBe(1);
      expect(counterValue(collected.get('llm_otel_internal_errors_total'), { 'llm_otel.component': 'callSpan' })).toBe(
        1,
      );
    } finally {
      metricsApi.disable();
    }
  });
});
