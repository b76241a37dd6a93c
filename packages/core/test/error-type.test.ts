import { metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_TYPES, errorTypeOf, getLlmMetrics } from '../src/index.js';
import { errorTypeOfRecord, isErrorClassName } from '../src/internal.js';
import { resetReportedForTests } from '../src/report-once.js';
import { collectByName, counterValue, installProvider } from './collect.js';

const CALL = { provider: 'openai', operation: 'chat', model: 'gpt-4o-mini', durationSeconds: 0.3 };

describe('error.type of recordInference', () => {
  beforeEach(() => resetReportedForTests());
  afterEach(() => metrics.disable());

  const errorTypes = async (errors: unknown[]) => {
    const { reader } = installProvider();
    for (const error of errors) getLlmMetrics().recordInference({ ...CALL, error });
    const byName = await collectByName(reader);
    const points = byName.get('llm_error_rate_total')?.dataPoints ?? [];
    return new Map(points.map((p) => [p.attributes['error.type'], p.value as number]));
  };

  it('never turns free text into a label: a message becomes _OTHER', async () => {
    const types = await errorTypes([
      'failed for user alice@example.com',
      'Request failed with status 500: {"detail":"..."}',
      'timeout after 30s',
      'x'.repeat(10_000),
    ]);
    expect([...types.keys()]).toEqual(['_OTHER']);
    expect(types.get('_OTHER')).toBe(4);
  });

  it('keeps the known error types and error class names', async () => {
    const types = await errorTypes(['rate_limit', 'timeout', 'RateLimitError', 'ValidationError2']);
    expect([...types.keys()].sort()).toEqual(['RateLimitError', 'ValidationError2', 'rate_limit', 'timeout']);
  });

  it('reads HTTP statuses, as numbers or 3-digit strings, as their class', async () => {
    const types = await errorTypes([429, '503', 404, 500]);
    expect(Object.fromEntries(types)).toEqual({ rate_limit: 1, unavailable: 1, not_found: 1, server_error: 1 });
  });

  it.each([
    ['0', 0],
    ['false', false],
    ['an empty string', ''],
    ['null', null],
  ])('does not count a call whose error is %s as failed', async (_, error) => {
    const { reader } = installProvider();
    getLlmMetrics().recordInference({ ...CALL, error });
    const byName = await collectByName(reader);
    expect(counterValue(byName.get('llm_error_rate_total'))).toBe(0);
    const latency = byName.get('llm_inference_latency_seconds')?.dataPoints ?? [];
    expect(latency.map((p) => p.attributes['error.type'])).toEqual([undefined]);
  });
});

describe('isErrorClassName', () => {
  it('accepts identifiers that start with an upper-case letter, up to 64 characters', () => {
    expect(isErrorClassName('APIConnectionError')).toBe(true);
    expect(isErrorClassName(`E${'x'.repeat(63)}`)).toBe(true);
    expect(isErrorClassName(`E${'x'.repeat(64)}`)).toBe(false);
    for (const text of ['error', 'Rate limit', 'Alice@example.com', 'Not-Found', 'Error\n', '', 'Ünicode'])
      expect(isErrorClassName(text), text).toBe(false);
  });

  it('accepts no value of the closed set twice: the known types are not class names', () => {
    for (const type of ERROR_TYPES) expect(isErrorClassName(type), type).toBe(false);
  });
});

describe('errorTypeOf', () => {
  it('ignores names longer than 128 characters instead of scanning them', () => {
    const error = Object.assign(new Error('x'), { name: `${'A'.repeat(200)}TimeoutError` });
    expect(errorTypeOf(error)).toBe('_OTHER');
  });

  it('never throws, even when reading the error throws', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
      },
    );
    expect(errorTypeOf(hostile)).toBe('_OTHER');
    expect(errorTypeOfRecord(hostile)).toBe('_OTHER');
  });

  it('recognises fetch failures only by a short message', () => {
    expect(errorTypeOf(new TypeError('fetch failed'))).toBe('connection');
    expect(errorTypeOf(new TypeError(`${'a'.repeat(100)} fetch failed`))).toBe('_OTHER');
  });
});

describe('attributes of the wrong type', () => {
  beforeEach(() => resetReportedForTests());
  afterEach(() => metrics.disable());

  it('counts a present model, response model, server address or port of the wrong type, and keeps the call', async () => {
    const { reader } = installProvider();
    const m = getLlmMetrics();
    m.recordInference({ ...CALL, model: 42 as unknown as string });
    m.recordInference({ ...CALL, responseModel: { name: 'x' } as unknown as string });
    m.recordInference({ ...CALL, serverAddress: '' });
    m.recordInference({ ...CALL, serverPort: 70_000 });
    m.recordInference({ ...CALL, model: undefined, responseModel: null as unknown as string });
    m.recordQualityScore(0.5, { task: ['summary'] as unknown as string });
    const byName = await collectByName(reader);
    const invalid = (reason: string) =>
      counterValue(byName.get('llm_otel_invalid_input_total'), { 'llm_otel.reason': reason });
    expect(invalid('invalid_model')).toBe(1);
    expect(invalid('invalid_response_model')).toBe(1);
    expect(invalid('invalid_server_address')).toBe(1);
    expect(invalid('invalid_server_port')).toBe(1);
    expect(invalid('invalid_task')).toBe(1);
    expect(counterValue(byName.get('llm_otel_invalid_input_total'))).toBe(5);
    const latency = byName.get('llm_inference_latency_seconds')?.dataPoints ?? [];
    expect(latency.reduce((n, p) => n + (p.value as { count: number }).count, 0)).toBe(5);
  });
});
