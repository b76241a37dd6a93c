import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { getLlmMetrics, OVERFLOW_VALUE } from '../src/index.js';
import { collectByName, counterValue, installProvider, pointsWith } from './collect.js';

function forceGc(): void {
  if (typeof global.gc !== 'function') throw new Error('run with --expose-gc (vitest.config.ts sets it)');
  global.gc();
}

describe('cardinality bound', () => {
  afterEach(() => metrics.disable());

  it('keeps series and memory bounded under 100,000 distinct model names', async () => {
    const { reader } = installProvider();
    const m = getLlmMetrics({ maxDistinctModels: 50 });
    const record = (i: number) =>
      m.recordInference({
        provider: 'openai',
        operation: 'chat',
        model: `model-${i}-${'x'.repeat(40)}`,
        durationSeconds: 0.5,
        outputTokens: 3,
      });
    for (let i = 0; i < 1000; i++) record(i);
    await collectByName(reader);
    forceGc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 1000; i < 100_000; i++) record(i);
    const byName = await collectByName(reader);
    forceGc();
    const grown = process.memoryUsage().heapUsed - before;

    const latency = byName.get('llm_inference_latency_seconds');
    expect(latency?.dataPoints.length).toBe(51); // 50 admitted names + _OTHER
    const other = pointsWith<{ count: number }>(latency, { 'gen_ai.request.model': OVERFLOW_VALUE });
    expect(other[0]?.value.count).toBe(100_000 - 50);
    expect(
      counterValue(byName.get('llm_otel_attribute_overflow_total'), { 'llm_otel.attribute': 'gen_ai.request.model' }),
    ).toBe(100_000 - 50);
    // 99,000 names of ~50 characters would hold several MB if they were kept anywhere.
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });

  it('replaces values longer than the limit by _OTHER', async () => {
    const { reader } = installProvider();
    const m = getLlmMetrics({ maxValueLength: 16 });
    m.recordInference({
      provider: 'openai',
      operation: 'chat',
      model: 'a-model-name-that-is-long',
      durationSeconds: 1,
    });
    const byName = await collectByName(reader);
    expect(
      pointsWith(byName.get('llm_inference_latency_seconds'), { 'gen_ai.request.model': OVERFLOW_VALUE }),
    ).toHaveLength(1);
    expect(counterValue(byName.get('llm_otel_attribute_overflow_total'), { 'llm_otel.reason': 'too_long' })).toBe(1);
  });
});
