import { getLlmMetrics } from '@llm-otel/core';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmOtelConfigError, register } from '../src/index.js';
import { startOtlpReceiver } from './otlp-receiver.js';

interface Body {
  resourceSpans?: Array<{
    scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string }> }>;
  }>;
  resourceLogs?: Array<{ scopeLogs: Array<{ logRecords: Array<{ traceId?: string; spanId?: string }> }> }>;
}

/** A minimal OTLP/HTTP receiver (JSON) for logs and traces. */
const startReceiver = () => startOtlpReceiver<Body>();

describe('register() with logs and traces', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let spanIds: { traceId: string; spanId: string } | undefined;
  let redactedAfterShutdown: unknown;

  beforeAll(async () => {
    receiver = await startReceiver();
    const signal = { exporter: 'otlp' as const, endpoint: receiver.url, protocol: 'http/json' as const };
    const handle = register({
      prometheus: false,
      otlp: false,
      logs: signal,
      traces: signal,
      callEvents: { captureContent: true, redact: () => '[redacted]' },
    });
    await handle.ready;
    const tracer = trace.getTracer('app');
    tracer.startActiveSpan('handle request', (span) => {
      spanIds = span.spanContext();
      getLlmMetrics().recordInference({
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o',
        durationSeconds: 0.3,
        inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'hello' }] }],
      });
      span.end();
    });
    await handle.shutdown();
    redactedAfterShutdown = getLlmMetrics().getCallEventOptions().redact;
  });
  afterAll(() => receiver.server.close());

  const exportedSpans = () =>
    receiver.bodies.flatMap((b) => b.resourceSpans ?? []).flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));

  it("exports the app span and the call's span, its child, through the TracerProvider it registered globally", () => {
    const spans = exportedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['chat gpt-4o', 'handle request']);
    expect(spans.every((s) => s.traceId === spanIds?.traceId)).toBe(true);
    expect(spans.find((s) => s.name === 'chat gpt-4o')?.parentSpanId).toBe(spanIds?.spanId);
  });

  it("puts the call span's trace and span id on the call's log record, with the redacted content", () => {
    const records = receiver.bodies
      .flatMap((b) => b.resourceLogs ?? [])
      .flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));
    expect(records).toHaveLength(1);
    expect(records[0]?.traceId).toBe(spanIds?.traceId);
    expect(records[0]?.spanId).toBe(exportedSpans().find((s) => s.name === 'chat gpt-4o')?.spanId);
    const text = JSON.stringify(records[0]);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('hello');
  });

  it('puts back the content options and releases the global providers on shutdown', () => {
    expect(redactedAfterShutdown).toBeUndefined();
    expect(getLlmMetrics().getCallEventSink()).toBeUndefined();
    expect(trace.getTracer('x').startSpan('after').isRecording()).toBe(false);
    expect(context.active()).toBeDefined();
  });
});

describe('register() option checks for logs, traces and callEvents', () => {
  it('rejects unknown keys and bad values, naming the option', () => {
    expect(() => register({ logs: { exporter: 'otlp', bogus: 1 } as never })).toThrow(/logs\.bogus is not an option/);
    expect(() => register({ traces: 'yes' as never })).toThrow(LlmOtelConfigError);
    expect(() => register({ prometheus: false, callEvents: { captureContent: 'yes' as never } })).toThrow(
      /callEvents: .*captureContent must be true or false/,
    );
  });

  it('leaves the content options as they were when register() fails on a later option', () => {
    expect(() =>
      register({ prometheus: false, callEvents: { captureContent: true }, prices: { providers: 5 } as never }),
    ).toThrow(LlmOtelConfigError);
    expect(getLlmMetrics().getCallEventOptions().captureContent).toBe(false);
  });
});
