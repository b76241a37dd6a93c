import { CALL_EVENT_NAME, LlmMetrics } from '@llm-otel/core';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CALL_EVENT_LOGGER_NAME, CallEventLogger } from '../src/call-event-logger.js';

const CALL = {
  provider: 'openai',
  operation: 'chat',
  model: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  serverAddress: 'api.openai.com',
  serverPort: 443,
  durationSeconds: 0.8,
  inputTokens: 120,
  outputTokens: 30,
  responseId: 'chatcmpl-abc',
  finishReasons: ['stop'],
  inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'secret prompt' }] }],
  outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'secret answer' }], finish_reason: 'stop' }],
};

describe('per-call events through a real LoggerProvider', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  const tracer = new BasicTracerProvider().getTracer('test');
  let exporter: InMemoryLogRecordExporter;
  let llm: LlmMetrics;
  let drops: number;

  beforeAll(() => {
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
  });
  afterAll(() => {
    context.disable();
    contextManager.disable();
  });
  beforeEach(() => {
    exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    drops = 0;
    const sink = new CallEventLogger(100, () => drops++);
    sink.attach(provider.getLogger(CALL_EVENT_LOGGER_NAME));
    llm = new LlmMetrics();
    llm.configureCallEvents({ captureContent: false });
    llm.setCallEventSink(sink);
  });

  const records = (): ReadableLogRecord[] => exporter.getFinishedLogRecords();

  it('writes N records for N calls, with the event name, INFO severity and the exact attributes', () => {
    for (let i = 0; i < 5; i++) llm.recordInference(CALL);
    expect(records()).toHaveLength(5);
    const record = records()[0] as ReadableLogRecord;
    expect(record.eventName).toBe(CALL_EVENT_NAME);
    expect(record.severityNumber).toBe(9);
    expect(record.severityText).toBe('INFO');
    expect(record.instrumentationScope.name).toBe(CALL_EVENT_LOGGER_NAME);
    const { 'llm.cost.usd': cost, ...attributes } = record.attributes;
    expect(cost).toBeGreaterThan(0);
    expect(attributes).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-abc',
      'gen_ai.response.finish_reasons': ['stop'],
      'server.address': 'api.openai.com',
      'server.port': 443,
      'llm.request.duration': 0.8,
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
    });
  });

  it('carries no content by default', () => {
    llm.recordInference(CALL);
    expect(JSON.stringify(records()[0]?.attributes)).not.toContain('secret');
  });

  it('carries the messages, redacted and capped, with the opt-in', () => {
    llm.configureCallEvents({
      captureContent: true,
      maxMessageLength: 10,
      redact: (text) => text.replace('secret', 'XXXXXX'),
    });
    llm.recordInference(CALL);
    const attributes = records()[0]?.attributes ?? {};
    expect(attributes['gen_ai.input.messages']).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'XXXXXX pro' }] },
    ]);
    expect(attributes['gen_ai.output.messages']).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'XXXXXX ans' }], finish_reason: 'stop' },
    ]);
    expect(attributes['llm_otel.content.truncated']).toBe(true);
  });

  it('is WARN with error.type on failure', () => {
    llm.recordInference({ ...CALL, error: 'timeout' });
    const record = records()[0] as ReadableLogRecord;
    expect(record.severityNumber).toBe(13);
    expect(record.severityText).toBe('WARN');
    expect(record.attributes['error.type']).toBe('timeout');
  });

  it('carries the trace context of the span active when the call is recorded', () => {
    const span = tracer.startSpan('handler');
    context.with(trace.setSpan(context.active(), span), () => llm.recordInference(CALL));
    span.end();
    llm.recordInference(CALL); // outside any span
    const [inside, outside] = records();
    expect(inside?.spanContext?.traceId).toBe(span.spanContext().traceId);
    expect(inside?.spanContext?.spanId).toBe(span.spanContext().spanId);
    expect(outside?.spanContext).toBeUndefined();
  });
});

describe('CallEventLogger before the logs SDK is loaded', () => {
  it('keeps events (with their context and time) until attached, bounded, and counts what it drops', () => {
    let drops = 0;
    const sink = new CallEventLogger(2, () => drops++);
    const llm = new LlmMetrics();
    llm.setCallEventSink(sink);
    for (let i = 0; i < 5; i++) llm.recordInference({ ...CALL, responseId: `r${i}` });
    expect(sink.waiting).toBe(2);
    expect(drops).toBe(3);
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    sink.attach(provider.getLogger(CALL_EVENT_LOGGER_NAME));
    llm.recordInference({ ...CALL, responseId: 'r5' });
    expect(exporter.getFinishedLogRecords().map((r) => r.attributes['gen_ai.response.id'])).toEqual(['r0', 'r1', 'r5']);
    expect(sink.waiting).toBe(0);
  });

  it('writes nothing after close()', () => {
    const sink = new CallEventLogger(10, () => {});
    const exporter = new InMemoryLogRecordExporter();
    sink.attach(new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger('x'));
    sink.close();
    const llm = new LlmMetrics();
    llm.setCallEventSink(sink);
    llm.recordInference(CALL);
    expect(exporter.getFinishedLogRecords()).toHaveLength(0);
  });
});
