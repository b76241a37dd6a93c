import { DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getLlmMetrics, INSTRUMENTS } from '../src/index.js';
import { resetReportedForTests } from '../src/report-once.js';
import { collectByName, counterValue, histogramPoint, installProvider, pointsWith } from './collect.js';

const CALL = {
  provider: 'openai',
  operation: 'chat',
  model: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  serverAddress: 'api.openai.com',
  serverPort: 443,
};

describe('getLlmMetrics()', () => {
  afterEach(() => metrics.disable());

  it('returns the same object on every call', () => {
    expect(getLlmMetrics()).toBe(getLlmMetrics());
  });

  it('records after register() even when obtained before any MeterProvider existed', async () => {
    const early = getLlmMetrics();
    early.recordInference({ ...CALL, durationSeconds: 1 }); // no provider yet: a no-op
    const { reader } = installProvider();
    early.recordInference({ ...CALL, durationSeconds: 2 });
    const byName = await collectByName(reader);
    const h = histogramPoint(byName.get(INSTRUMENTS.inferenceLatency.name), { 'gen_ai.request.model': 'gpt-4o-mini' });
    expect(h.count).toBe(1);
    expect(h.sum).toBe(2);
  });

  it('follows a replaced global provider', async () => {
    const m = getLlmMetrics();
    const first = installProvider();
    m.recordInference({ ...CALL, durationSeconds: 1 });
    const second = installProvider();
    m.recordInference({ ...CALL, durationSeconds: 3 });
    const h = histogramPoint((await collectByName(second.reader)).get(INSTRUMENTS.inferenceLatency.name));
    expect(h.sum).toBe(3);
    expect(histogramPoint((await collectByName(first.reader)).get(INSTRUMENTS.inferenceLatency.name)).sum).toBe(1);
  });
});

describe('recordInference', () => {
  beforeEach(() => resetReportedForTests());
  afterEach(() => metrics.disable());

  it('records latency, tokens, generation counter, TTFT and time per output token', async () => {
    const { reader } = installProvider();
    getLlmMetrics().recordInference({
      ...CALL,
      durationSeconds: 2.5,
      inputTokens: 120,
      outputTokens: 51,
      timeToFirstTokenSeconds: 0.5,
    });
    const byName = await collectByName(reader);
    const latency = histogramPoint(byName.get('llm_inference_latency_seconds'));
    expect(latency.count).toBe(1);
    expect(latency.sum).toBe(2.5);
    const attrs = pointsWith(byName.get('llm_inference_latency_seconds'), {})[0]?.attributes;
    expect(attrs).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'server.address': 'api.openai.com',
      'server.port': 443,
    });
    expect(histogramPoint(byName.get('llm_request_token_count'), { 'gen_ai.token.type': 'input' }).sum).toBe(120);
    expect(histogramPoint(byName.get('llm_request_token_count'), { 'gen_ai.token.type': 'output' }).sum).toBe(51);
    expect(counterValue(byName.get('llm_token_generation_rate_total'))).toBe(51);
    expect(histogramPoint(byName.get('llm_time_to_first_token_seconds')).sum).toBe(0.5);
    // (2.5 - 0.5) / (51 - 1)
    expect(histogramPoint(byName.get('llm_time_per_output_token_seconds')).sum).toBeCloseTo(0.04, 12);
    expect(byName.has('gen_ai.client.operation.duration')).toBe(false);
  });

  it('counts an error with its error.type and records its latency under that type', async () => {
    const { reader } = installProvider();
    const m = getLlmMetrics();
    m.recordInference({ ...CALL, durationSeconds: 0.2, error: 'rate_limit' });
    m.recordInference({ ...CALL, durationSeconds: 0.1, error: Object.assign(new Error('boom'), { status: 503 }) });
    m.recordInference({ ...CALL, durationSeconds: 0.1, error: new DOMException('aborted', 'AbortError') });
    const byName = await collectByName(reader);
    const errors = byName.get('llm_error_rate_total');
    expect(counterValue(errors, { 'error.type': 'rate_limit' })).toBe(1);
    expect(counterValue(errors, { 'error.type': 'unavailable' })).toBe(1);
    expect(counterValue(errors, { 'error.type': 'aborted' })).toBe(1);
    expect(histogramPoint(byName.get('llm_inference_latency_seconds'), { 'error.type': 'rate_limit' }).sum).toBe(0.2);
  });

  it('classifies errors by class name, status and system error code', async () => {
    const { errorTypeOf } = await import('../src/index.js');
    class APIConnectionTimeoutError extends Error {}
    class APIUserAbortError extends Error {}
    class APIConnectionError extends Error {}
    expect(errorTypeOf(new APIConnectionTimeoutError('timed out'))).toBe('timeout');
    expect(errorTypeOf(new APIUserAbortError('aborted'))).toBe('aborted');
    expect(errorTypeOf(new APIConnectionError('Connection error.'))).toBe('connection');
    expect(errorTypeOf(Object.assign(new Error('x'), { status: 429 }))).toBe('rate_limit');
    expect(errorTypeOf(Object.assign(new Error('x'), { status_code: 500 }))).toBe('server_error');
    expect(
      errorTypeOf(
        new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }),
      ),
    ).toBe('connection');
    expect(errorTypeOf(Object.assign(new Error('closed'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))).toBe('connection');
    expect(errorTypeOf(new Error('something else'))).toBe('_OTHER');
  });

  it('records the GenAI semantic-convention metrics when opted in', async () => {
    const { reader } = installProvider();
    const m = getLlmMetrics();
    m.configure({ genAiMetrics: true });
    try {
      m.recordInference({
        ...CALL,
        durationSeconds: 1.5,
        inputTokens: 10,
        outputTokens: 20,
        timeToFirstTokenSeconds: 0.3,
      });
    } finally {
      m.configure({ genAiMetrics: false });
    }
    const byName = await collectByName(reader);
    expect(histogramPoint(byName.get('gen_ai.client.operation.duration')).sum).toBe(1.5);
    expect(histogramPoint(byName.get('gen_ai.client.token.usage'), { 'gen_ai.token.type': 'output' }).sum).toBe(20);
    expect(histogramPoint(byName.get('gen_ai.client.operation.time_to_first_chunk')).sum).toBe(0.3);
  });
});

describe('bad input', () => {
  beforeEach(() => resetReportedForTests());
  afterEach(() => metrics.disable());

  const invalid = (byName: Awaited<ReturnType<typeof collectByName>>, reason: string) =>
    counterValue(byName.get('llm_otel_invalid_input_total'), { 'llm_otel.reason': reason });

  it.each([
    ['NaN', Number.NaN],
    ['negative', -1],
    ['infinite', Number.POSITIVE_INFINITY],
    ['a string', '1.5' as unknown as number],
  ])('drops a call whose duration is %s, counts it and never throws', async (_, duration) => {
    const { reader } = installProvider();
    expect(() =>
      getLlmMetrics().recordInference({ ...CALL, durationSeconds: duration, outputTokens: 5 }),
    ).not.toThrow();
    const byName = await collectByName(reader);
    expect(byName.get('llm_inference_latency_seconds')?.dataPoints ?? []).toHaveLength(0);
    expect(counterValue(byName.get('llm_token_generation_rate_total'))).toBe(0);
    expect(invalid(byName, 'invalid_duration')).toBe(1);
  });

  it.each([
    ['fractional', 1.5],
    ['negative', -3],
    ['NaN', Number.NaN],
    ['too large', 2 ** 60],
  ])('drops a %s token count but keeps the rest of the call', async (_, tokens) => {
    const { reader } = installProvider();
    getLlmMetrics().recordInference({ ...CALL, durationSeconds: 1, inputTokens: tokens, outputTokens: 7 });
    const byName = await collectByName(reader);
    expect(histogramPoint(byName.get('llm_inference_latency_seconds')).count).toBe(1);
    expect(pointsWith(byName.get('llm_request_token_count'), { 'gen_ai.token.type': 'input' })).toHaveLength(0);
    expect(counterValue(byName.get('llm_token_generation_rate_total'))).toBe(7);
    expect(invalid(byName, 'invalid_token_count')).toBe(1);
  });

  it('drops a time to first token longer than the call', async () => {
    const { reader } = installProvider();
    getLlmMetrics().recordInference({ ...CALL, durationSeconds: 1, timeToFirstTokenSeconds: 2 });
    const byName = await collectByName(reader);
    expect(byName.get('llm_time_to_first_token_seconds')?.dataPoints ?? []).toHaveLength(0);
    expect(invalid(byName, 'invalid_time_to_first_token')).toBe(1);
  });

  it('drops calls without provider or operation, and non-objects', async () => {
    const { reader } = installProvider();
    const m = getLlmMetrics();
    m.recordInference({ ...CALL, provider: '', durationSeconds: 1 });
    m.recordInference({ ...CALL, operation: undefined as unknown as string, durationSeconds: 1 });
    m.recordInference(null as never);
    const byName = await collectByName(reader);
    expect(invalid(byName, 'missing_provider')).toBe(1);
    expect(invalid(byName, 'missing_operation')).toBe(1);
    expect(invalid(byName, 'invalid_record')).toBe(1);
  });

  it.each([
    ['above 1', 1.01],
    ['negative', -0.1],
    ['NaN', Number.NaN],
  ])('drops a quality score %s', async (_, score) => {
    const { reader } = installProvider();
    expect(() => getLlmMetrics().recordQualityScore(score, { model: 'm' })).not.toThrow();
    const byName = await collectByName(reader);
    expect(byName.get('llm_response_quality_score')?.dataPoints ?? []).toHaveLength(0);
    expect(invalid(byName, 'invalid_score')).toBe(1);
  });

  it('drops bad summarization lengths and non-boolean intent results', async () => {
    const { reader } = installProvider();
    const m = getLlmMetrics();
    m.recordSummarizationLength(-5);
    m.recordSummarizationLength(2.5);
    m.recordIntentParsing('yes' as unknown as boolean);
    const byName = await collectByName(reader);
    expect(invalid(byName, 'invalid_length')).toBe(2);
    expect(invalid(byName, 'invalid_intent_result')).toBe(1);
  });

  it('reports each kind of bad input once through the diag logger', () => {
    installProvider();
    const warn = vi.fn();
    diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() }, DiagLogLevel.WARN);
    try {
      for (let i = 0; i < 50; i++) getLlmMetrics().recordInference({ ...CALL, durationSeconds: Number.NaN });
      getLlmMetrics().recordQualityScore(7);
    } finally {
      diag.disable();
    }
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/duration NaN/);
  });
});

describe('quality metrics', () => {
  afterEach(() => metrics.disable());

  it('records the score gauge, the summary length histogram and the intent counter', async () => {
    const { reader } = installProvider();
    const m = getLlmMetrics();
    m.recordQualityScore(0.4, { model: 'mistral', task: 'support' });
    m.recordQualityScore(0.9, { model: 'mistral', task: 'support' });
    m.recordSummarizationLength(180, { model: 'mistral' });
    m.recordIntentParsing(true, { model: 'mistral' });
    m.recordIntentParsing(true, { model: 'mistral' });
    m.recordIntentParsing(false, { model: 'mistral' });
    const byName = await collectByName(reader);
    expect(pointsWith<number>(byName.get('llm_response_quality_score'), { 'llm.task': 'support' })[0]?.value).toBe(0.9);
    expect(histogramPoint(byName.get('llm_summarization_length')).sum).toBe(180);
    const intents = byName.get('llm_intent_parsing_accuracy_total');
    expect(counterValue(intents, { 'llm.intent.result': 'correct' })).toBe(2);
    expect(counterValue(intents, { 'llm.intent.result': 'incorrect' })).toBe(1);
  });
});
