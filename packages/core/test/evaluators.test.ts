import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { type EvaluatedCall, EvaluatorRegistry } from '../src/index.js';
import { collectByName, counterValue, installProvider, pointsWith } from './collect.js';

const CALL: EvaluatedCall = {
  provider: 'openai',
  operation: 'chat',
  model: 'gpt-4o-mini',
  durationSeconds: 0.4,
  request: { messages: [{ role: 'user', content: 'Summarise: the cat sat on the mat.' }] },
  response: { choices: [{ message: { content: 'A cat sat.' } }] },
};

const outcome = async (reader: Parameters<typeof collectByName>[0], name: string, result: string) =>
  counterValue((await collectByName(reader)).get('llm_otel_evaluations_total'), {
    'llm.evaluator': name,
    'llm_otel.outcome': result,
  });

describe('evaluator hook', () => {
  afterEach(() => metrics.disable());

  it('scores sampled calls asynchronously, after the caller returned, into llm_response_quality_score', async () => {
    const { reader } = installProvider();
    const evaluators = new EvaluatorRegistry();
    const seen: EvaluatedCall[] = [];
    evaluators.add({
      name: 'brevity',
      sampleRate: 1,
      evaluate: async (call) => {
        seen.push(call);
        const text =
          (call.response as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content ?? '';
        return text.length < 20 ? 0.9 : 0.3;
      },
    });
    evaluators.submit(CALL);
    expect(seen).toHaveLength(0); // nothing ran on the caller's tick
    await evaluators.whenIdle();
    expect(seen).toEqual([CALL]);
    const score = pointsWith<number>((await collectByName(reader)).get('llm_response_quality_score'), {
      'llm.task': 'brevity',
    });
    expect(score[0]).toMatchObject({
      value: 0.9,
      attributes: { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.provider.name': 'openai' },
    });
    expect(await outcome(reader, 'brevity', 'scored')).toBe(1);
  });

  it('samples at the configured rate', async () => {
    installProvider();
    const evaluators = new EvaluatorRegistry();
    let never = 0;
    let sometimes = 0;
    evaluators.add({ name: 'never', sampleRate: 0, evaluate: () => ++never && 1 });
    evaluators.add({ name: 'quarter', sampleRate: 0.25, evaluate: () => ++sometimes && 1 });
    evaluators.configure({ maxQueued: 10_000 });
    for (let i = 0; i < 4000; i++) evaluators.submit(CALL);
    await evaluators.whenIdle();
    expect(never).toBe(0);
    expect(sometimes).toBeGreaterThan(850); // 1000 expected; 5 sigma is about 137
    expect(sometimes).toBeLessThan(1150);
  });

  it('counts failures, invalid scores, timeouts and a full queue without reaching the caller', async () => {
    const { reader } = installProvider();
    const evaluators = new EvaluatorRegistry();
    evaluators.add({
      name: 'throws',
      sampleRate: 1,
      evaluate: () => {
        throw new Error('judge is down');
      },
    });
    evaluators.add({ name: 'out-of-range', sampleRate: 1, evaluate: () => 7 });
    evaluators.add({ name: 'slow', sampleRate: 1, timeoutMs: 50, evaluate: () => new Promise(() => {}) });
    expect(() => evaluators.submit(CALL)).not.toThrow();
    await evaluators.whenIdle();
    expect(await outcome(reader, 'throws', 'failed')).toBe(1);
    expect(await outcome(reader, 'out-of-range', 'failed')).toBe(1);
    expect(await outcome(reader, 'slow', 'timeout')).toBe(1);

    const small = new EvaluatorRegistry();
    small.configure({ maxQueued: 3, concurrency: 1 });
    small.add({ name: 'busy', sampleRate: 1, evaluate: () => 0.5 });
    for (let i = 0; i < 10; i++) small.submit(CALL);
    await small.whenIdle();
    expect(await outcome(reader, 'busy', 'scored')).toBe(3);
    expect(await outcome(reader, 'busy', 'dropped')).toBe(7);
  });

  it('rejects a malformed evaluator with a clear error', () => {
    const evaluators = new EvaluatorRegistry();
    expect(() => evaluators.add({ name: '', evaluate: () => 1 })).toThrow(/non-empty name/);
    expect(() => evaluators.add({ name: 'x', sampleRate: 2, evaluate: () => 1 })).toThrow(
      /sampleRate 2 is not in \[0, 1\]/,
    );
    const detach = evaluators.add({ name: 'x', evaluate: () => 1 });
    expect(evaluators.active).toBe(true);
    detach();
    expect(evaluators.active).toBe(false);
  });
});
