import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { getLlmMetrics, INSTRUMENTS } from '../src/index.js';
import { type GaugeHost } from '../src/internal.js';
import { collectByName, counterValue, installProvider, pointsWith } from './collect.js';

describe('the narrow views of the recording API', () => {
  afterEach(() => metrics.disable());

  it('exports an observable gauge bound with bind(), without any recording', async () => {
    const host: GaugeHost = getLlmMetrics();
    host.addGaugeObserver('modelUp', (r) => r.observe(1, { 'gen_ai.provider.name': 'test-bind' }));
    const { reader } = installProvider();
    host.bind();
    const byName = await collectByName(reader);
    expect(pointsWith(byName.get(INSTRUMENTS.modelUp.name), { 'gen_ai.provider.name': 'test-bind' })).toHaveLength(1);
  });

  it('counts evaluator runs by evaluator and outcome, bounding the names', async () => {
    const { reader } = installProvider();
    const m = getLlmMetrics();
    m.countEvaluation('groundedness', 'scored');
    m.countEvaluation('groundedness', 'timeout');
    m.countEvaluation('bad\nname', 'failed');
    const evaluations = (await collectByName(reader)).get(INSTRUMENTS.evaluations.name);
    expect(counterValue(evaluations, { 'llm.evaluator': 'groundedness' })).toBe(2);
    expect(counterValue(evaluations, { 'llm.evaluator': '_OTHER', 'llm_otel.outcome': 'failed' })).toBe(1);
  });
});
