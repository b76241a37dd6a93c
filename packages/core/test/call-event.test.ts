import { metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureContentFromEnv } from '../src/call-event-content.js';
import {
  CALL_EVENT_NAME,
  type CallEvent,
  type CallEventSink,
  INSTRUMENTS,
  type InferenceRecord,
  LlmMetrics,
  LlmOtelConfigError,
} from '../src/index.js';
import { resetReportedForTests } from '../src/report-once.js';
import { collectByName, installProvider, type TestReader } from './collect.js';

/** A sink that keeps what it is given (the node package's sink writes log records instead). */
class KeepingSink implements CallEventSink {
  readonly events: CallEvent[] = [];
  emit(event: CallEvent): void {
    this.events.push(event);
  }
}

const CALL: InferenceRecord = {
  provider: 'openai',
  operation: 'chat',
  model: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  serverAddress: 'api.openai.com',
  serverPort: 443,
  durationSeconds: 1.5,
  inputTokens: 1000,
  outputTokens: 200,
  cachedInputTokens: 400,
  reasoningTokens: 50,
  timeToFirstTokenSeconds: 0.25,
  responseId: 'chatcmpl-123',
  finishReasons: ['stop'],
};

const SECRET = 'my card is 4111-1111-1111-1111';
const MESSAGES = {
  inputMessages: [
    { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
    { role: 'user', parts: [{ type: 'text', content: SECRET }] },
  ],
  outputMessages: [
    {
      role: 'assistant',
      parts: [
        { type: 'text', content: 'Noted.' },
        { type: 'tool_call', id: 'call_1', name: 'lookup', arguments: { card: SECRET, n: 2 } },
      ],
      finish_reason: 'tool_call',
    },
  ],
};

function sum(points: Array<{ value: unknown }>): number {
  return points.reduce((total, p) => total + (p.value as number), 0);
}

describe('the per-call event', () => {
  let reader: TestReader;
  let llm: LlmMetrics;
  let sink: KeepingSink;

  beforeEach(() => {
    resetReportedForTests();
    reader = installProvider().reader;
    llm = new LlmMetrics();
    llm.configureCallEvents({ captureContent: false });
    sink = new KeepingSink();
    llm.setCallEventSink(sink);
  });
  afterEach(() => metrics.disable());

  it('is one event per call, with the semantic-convention attributes and the cost the metrics record', async () => {
    for (let i = 0; i < 3; i++) llm.recordInference(CALL);
    expect(sink.events).toHaveLength(3);
    const cost = sum((await collectByName(reader)).get(INSTRUMENTS.cost.name)?.dataPoints ?? []) / 3;
    expect(cost).toBeGreaterThan(0);
    const event = sink.events[0] as CallEvent;
    expect(event.eventName).toBe(CALL_EVENT_NAME);
    expect(event.severityNumber).toBe(9);
    expect(event.severityText).toBe('INFO');
    const { 'llm.cost.usd': eventCost, ...rest } = event.attributes;
    expect(eventCost).toBeCloseTo(cost, 12);
    expect(rest).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.id': 'chatcmpl-123',
      'gen_ai.response.finish_reasons': ['stop'],
      'server.address': 'api.openai.com',
      'server.port': 443,
      'llm.request.duration': 1.5,
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.usage.cache_read.input_tokens': 400,
      'gen_ai.usage.reasoning.output_tokens': 50,
      'gen_ai.response.time_to_first_chunk': 0.25,
    });
  });

  it('is WARN with error.type when the call failed, and has no cost when nothing was priced', () => {
    llm.recordInference({ provider: 'openai', operation: 'chat', model: 'gpt-4o', durationSeconds: 0.1, error: 429 });
    const event = sink.events[0] as CallEvent;
    expect(event.severityNumber).toBe(13);
    expect(event.severityText).toBe('WARN');
    expect(event.attributes['error.type']).toBe('rate_limit');
    expect(event.attributes).not.toHaveProperty('llm.cost.usd');
    expect(event.attributes).not.toHaveProperty('gen_ai.usage.input_tokens');
  });

  it('counts Anthropic cache writes as gen_ai.usage.cache_write.input_tokens, input normalised to the total', () => {
    llm.recordInference({
      provider: 'anthropic',
      operation: 'chat',
      model: 'claude-sonnet-4-5',
      durationSeconds: 1,
      inputTokens: 10,
      inputTokensKind: 'uncached',
      cachedInputTokens: 20,
      cacheCreationInputTokens: 30,
      outputTokens: 5,
    });
    const attrs = (sink.events[0] as CallEvent).attributes;
    expect(attrs['gen_ai.usage.input_tokens']).toBe(60);
    expect(attrs['gen_ai.usage.cache_read.input_tokens']).toBe(20);
    expect(attrs['gen_ai.usage.cache_write.input_tokens']).toBe(30);
  });

  it('tells instrumentations whether events, and their content, are wanted', () => {
    expect(llm.emitsCallEvents()).toBe(true);
    expect(llm.capturesCallContent()).toBe(false);
    llm.configureCallEvents({ captureContent: true });
    expect(llm.capturesCallContent()).toBe(true);
    llm.setCallEventSink(undefined);
    expect(llm.emitsCallEvents()).toBe(false);
    expect(llm.capturesCallContent()).toBe(false);
  });

  it('builds nothing once the sink is removed', () => {
    llm.setCallEventSink(undefined);
    llm.recordInference(CALL);
    expect(sink.events).toHaveLength(0);
    expect(llm.getCallEventSink()).toBeUndefined();
  });

  it('carries no content by default, even when the record has messages', () => {
    llm.recordInference({ ...CALL, ...MESSAGES });
    const attrs = (sink.events[0] as CallEvent).attributes;
    expect(attrs).not.toHaveProperty('gen_ai.input.messages');
    expect(attrs).not.toHaveProperty('gen_ai.output.messages');
    expect(JSON.stringify(sink.events)).not.toContain('4111');
  });

  it('carries the messages, structured, when content capture is on', () => {
    llm.configureCallEvents({ captureContent: true });
    llm.recordInference({ ...CALL, ...MESSAGES });
    const attrs = (sink.events[0] as CallEvent).attributes;
    expect(attrs['gen_ai.input.messages']).toEqual(MESSAGES.inputMessages);
    expect(attrs['gen_ai.output.messages']).toEqual(MESSAGES.outputMessages);
    expect(attrs).not.toHaveProperty('llm_otel.content.truncated');
  });

  it('never puts content on a metric label', async () => {
    llm.configureCallEvents({ captureContent: true });
    llm.recordInference({ ...CALL, ...MESSAGES });
    const all = JSON.stringify([...(await collectByName(reader)).values()].map((m) => m.dataPoints));
    expect(all).not.toContain('4111');
    expect(all).not.toContain('Be brief');
  });

  it('applies the redaction hook to every content string; undefined leaves the value out', () => {
    llm.configureCallEvents({
      captureContent: true,
      redact: (text) => (text === 'Noted.' ? undefined : text.replace(/\d{4}-\d{4}-\d{4}-\d{4}/g, '[card]')),
    });
    llm.recordInference({ ...CALL, ...MESSAGES });
    const attrs = (sink.events[0] as CallEvent).attributes;
    const text = JSON.stringify(attrs);
    expect(text).not.toContain('4111');
    expect(attrs['gen_ai.input.messages']).toEqual([
      MESSAGES.inputMessages[0],
      { role: 'user', parts: [{ type: 'text', content: 'my card is [card]' }] },
    ]);
    expect(attrs['gen_ai.output.messages']).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text' },
          { type: 'tool_call', id: 'call_1', name: 'lookup', arguments: { card: 'my card is [card]', n: 2 } },
        ],
        finish_reason: 'tool_call',
      },
    ]);
  });

  it('drops all content (fail closed) and counts an internal error when the hook throws; the call is still recorded', async () => {
    llm.configureCallEvents({
      captureContent: true,
      redact: () => {
        throw new Error('redactor down');
      },
    });
    llm.recordInference({ ...CALL, ...MESSAGES });
    const attrs = (sink.events[0] as CallEvent).attributes;
    expect(JSON.stringify(attrs)).not.toContain('4111');
    expect(attrs).not.toHaveProperty('gen_ai.input.messages');
    expect(attrs['gen_ai.response.id']).toBe('chatcmpl-123');
    const byName = await collectByName(reader);
    const internal = byName.get(INSTRUMENTS.internalErrors.name)?.dataPoints ?? [];
    expect(internal.map((p) => p.attributes['llm_otel.component'])).toContain('redact');
    expect(sum(byName.get(INSTRUMENTS.errors.name)?.dataPoints ?? [])).toBe(0);
    expect(byName.get(INSTRUMENTS.inferenceLatency.name)?.dataPoints).toHaveLength(1);
  });

  it('cuts each message at maxMessageLength and the event at maxContentLength, and says so', () => {
    llm.configureCallEvents({ captureContent: true, maxMessageLength: 10, maxContentLength: 25 });
    const long = (c: string) => ({ role: 'user', parts: [{ type: 'text', content: c.repeat(40) }] });
    llm.recordInference({ ...CALL, inputMessages: [long('a'), long('b'), long('c'), long('d')] });
    const attrs = (sink.events[0] as CallEvent).attributes;
    expect(attrs['gen_ai.input.messages']).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'a'.repeat(10) }] },
      { role: 'user', parts: [{ type: 'text', content: 'b'.repeat(10) }] },
      { role: 'user', parts: [{ type: 'text', content: 'c'.repeat(5) }] },
    ]);
    expect(attrs['llm_otel.content.truncated']).toBe(true);
  });

  it('never cuts a surrogate pair in half', () => {
    llm.configureCallEvents({ captureContent: true, maxMessageLength: 3 });
    llm.recordInference({ ...CALL, inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'ab😀cd' }] }] });
    const messages = (sink.events[0] as CallEvent).attributes['gen_ai.input.messages'];
    expect(messages).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'ab' }] }]);
  });

  it('drops and counts fields of the wrong shape, keeping the rest of the event', async () => {
    llm.configureCallEvents({ captureContent: true });
    llm.recordInference({
      ...CALL,
      responseId: 42 as unknown as string,
      finishReasons: 'stop' as unknown as string[],
      inputMessages: 'hello' as unknown as [],
    });
    const attrs = (sink.events[0] as CallEvent).attributes;
    expect(attrs).not.toHaveProperty('gen_ai.response.id');
    expect(attrs).not.toHaveProperty('gen_ai.response.finish_reasons');
    expect(attrs).not.toHaveProperty('gen_ai.input.messages');
    expect(attrs['gen_ai.usage.input_tokens']).toBe(1000);
    const reasons = ((await collectByName(reader)).get(INSTRUMENTS.invalidInput.name)?.dataPoints ?? []).map(
      (p) => p.attributes['llm_otel.reason'],
    );
    expect(reasons).toEqual(
      expect.arrayContaining(['invalid_response_id', 'invalid_finish_reasons', 'invalid_messages']),
    );
  });

  it('keeps the metrics and never throws when the sink throws (counted as an internal error)', async () => {
    llm.setCallEventSink({
      emit: () => {
        throw new Error('sink down');
      },
    });
    expect(() => llm.recordInference(CALL)).not.toThrow();
    const byName = await collectByName(reader);
    expect(byName.get(INSTRUMENTS.inferenceLatency.name)?.dataPoints).toHaveLength(1);
    expect(byName.get(INSTRUMENTS.internalErrors.name)?.dataPoints.length).toBe(1);
  });

  it('rejects invalid options, naming them, and changes nothing', () => {
    expect(() => llm.configureCallEvents({ maxMessageLength: 0 })).toThrow(LlmOtelConfigError);
    expect(() => llm.configureCallEvents({ redact: 'x' as unknown as () => string })).toThrow(/redact/);
    expect(() => llm.configureCallEvents({ captureContnet: true } as never)).toThrow(/unknown option/);
    expect(llm.getCallEventOptions().maxMessageLength).toBe(8192);
  });
});

describe('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', () => {
  it('turns content capture on for true, EVENT_ONLY and SPAN_AND_EVENT only', () => {
    expect(captureContentFromEnv('true')).toBe(true);
    expect(captureContentFromEnv('TRUE')).toBe(true);
    expect(captureContentFromEnv('EVENT_ONLY')).toBe(true);
    expect(captureContentFromEnv('SPAN_AND_EVENT')).toBe(true);
    for (const off of [undefined, '', 'false', '1', 'SPAN_ONLY', 'NO_CONTENT'])
      expect(captureContentFromEnv(off)).toBe(false);
  });

  it('is the default of a new recording API', () => {
    const saved = process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    try {
      const llm = new LlmMetrics();
      expect(llm.getCallEventOptions().captureContent).toBe(true);
      llm.configureCallEvents({ captureContent: undefined });
      expect(llm.getCallEventOptions().captureContent).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
      else process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = saved;
    }
    expect(new LlmMetrics().getCallEventOptions().captureContent).toBe(false);
  });
});
