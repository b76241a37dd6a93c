import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { getLlmMetrics, type InferenceRecord } from '../src/index.js';
import { FastAggregator } from '../src/internal.js';
import { collectByName, counterValue, installProvider } from './collect.js';

const BASE = { provider: 'openai', operation: 'chat', durationSeconds: 1 };

function withAggregator(options?: ConstructorParameters<typeof FastAggregator>[0]): FastAggregator {
  const aggregator = new FastAggregator(options);
  getLlmMetrics().attachAggregator(aggregator);
  return aggregator;
}

describe('core aggregation of recordInference', () => {
  afterEach(() => {
    getLlmMetrics().detachAggregator();
    metrics.disable();
  });

  it('keeps two attribute sets apart even when their values hold separator characters', () => {
    const aggregator = withAggregator();
    // With values joined by \u0000 and \u0001 for an absent one, both had the key
    // "openai\0chat\0m\0x\0\u0001\0\u0001\0\u0001" and were merged into one series.
    const a: InferenceRecord = { ...BASE, model: 'm\u0000x' };
    const b: InferenceRecord = { ...BASE, model: 'm', responseModel: 'x', serverAddress: '\u0001\u0000\u0001' };
    getLlmMetrics().recordInference(a);
    getLlmMetrics().recordInference(b);
    const cells = [...aggregator.inferenceLatency.cells.values()];
    expect(cells).toHaveLength(2);
    expect(cells.map((c) => c.count)).toEqual([1, 1]);
    // Values holding control characters are not admitted as labels either.
    expect(cells.map((c) => c.attributes)).toEqual([
      { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': '_OTHER' },
      {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'm',
        'gen_ai.response.model': 'x',
        'server.address': '_OTHER',
      },
    ]);
  });

  it('replaces values holding a control character by _OTHER and counts them', async () => {
    const { reader } = installProvider();
    for (const model of ['a\u0000b', 'line\nbreak', 'del\u007f', 'tab\there'])
      getLlmMetrics().recordInference({ ...BASE, model });
    const byName = await collectByName(reader);
    expect(
      counterValue(byName.get('llm_otel_attribute_overflow_total'), { 'llm_otel.reason': 'control_character' }),
    ).toBe(4);
    const models = (byName.get('llm_inference_latency_seconds')?.dataPoints ?? []).map(
      (p) => p.attributes['gen_ai.request.model'],
    );
    expect(models).toEqual(['_OTHER']);
  });

  it('keeps an error series apart from a success series whose value looks like a key suffix', () => {
    const aggregator = withAggregator();
    getLlmMetrics().recordInference({ ...BASE, model: 'a', error: 'timeout' });
    getLlmMetrics().recordInference({ ...BASE, model: 'a', serverPort: 443 });
    getLlmMetrics().recordInference({ ...BASE, model: 'a', serverAddress: '443' });
    expect(aggregator.inferenceLatency.cells.size).toBe(3);
  });

  it('sums output tokens in the aggregator, bounded by its cardinality limit', async () => {
    const { reader } = installProvider();
    const aggregator = withAggregator({ cardinalityLimit: 3 });
    for (let i = 0; i < 5; i++) getLlmMetrics().recordInference({ ...BASE, model: `m${i}`, outputTokens: 10 });
    const totals = aggregator.tokenGeneration;
    expect(totals.cells.size).toBe(3); // 2 sets and the overflow set, as the SDK's limit
    expect([...totals.cells.values()].reduce((n, c) => n + c.value, 0)).toBe(50);
    expect(aggregator.counters()).toContain(totals);
    // And not also in the SDK instruments: each series is exported once.
    const byName = await collectByName(reader);
    expect(counterValue(byName.get('llm_token_generation_rate_total'))).toBe(0);
  });
});
