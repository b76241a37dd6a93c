import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EVALUATION_OUTCOMES,
  type EvaluatedCall,
  type EvaluationResult,
  EvaluationTimeoutError,
  INSTRUMENTS,
  LlmOtelConfigError,
} from '../src/index.js';
import { EvaluatorRegistry } from '../src/internal.js';
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

/** Rejects with the abort reason when `signal` aborts: a well-behaved evaluator. */
const aborted = (signal: AbortSignal) =>
  new Promise<EvaluationResult>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

/** A promise settled from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Yields to the event loop until `condition` holds (bounded by the test timeout, never a fixed sleep). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 1));
}

/** Lets pending immediates and microtasks run (e.g. a slot released by a timer). */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

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
    evaluators.add({ name: 'slow', sampleRate: 1, timeoutMs: 50, evaluate: (_call, { signal }) => aborted(signal) });
    evaluators.add({ name: 'skips', sampleRate: 1, evaluate: () => undefined });
    expect(() => evaluators.submit(CALL)).not.toThrow();
    await evaluators.whenIdle();
    expect(await outcome(reader, 'throws', 'failed')).toBe(1);
    expect(await outcome(reader, 'out-of-range', 'failed')).toBe(1);
    expect(await outcome(reader, 'slow', 'timeout')).toBe(1);
    expect(await outcome(reader, 'skips', 'skipped')).toBe(1);

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

describe('evaluator queue bounds', () => {
  afterEach(() => metrics.disable());

  it('aborts a timed-out evaluation through its signal and keeps its slot until it settles', async () => {
    const { reader } = installProvider();
    const evaluators = new EvaluatorRegistry();
    evaluators.configure({ concurrency: 1, abandonAfterMs: 60_000 });
    const gate = deferred<void>();
    let signal: AbortSignal | undefined;
    let secondStarted = false;
    evaluators.add({
      name: 'judge',
      sampleRate: 1,
      timeoutMs: 20,
      evaluate: async (call, context) => {
        if (call.model === 'second') {
          secondStarted = true;
          return 1;
        }
        signal = context.signal;
        await gate.promise; // slow to stop, but it does settle
        return 0.9; // too late: not recorded
      },
    });
    evaluators.submit(CALL);
    evaluators.submit({ ...CALL, model: 'second' });
    await until(() => signal?.aborted === true);
    expect(signal?.reason).toBeInstanceOf(EvaluationTimeoutError);
    await turns();
    expect(secondStarted).toBe(false); // the timed-out evaluation still holds the only slot
    expect(evaluators.getStats()).toEqual({ queued: 1, running: 1, abandoned: 0 });
    gate.resolve();
    await evaluators.whenIdle();
    expect(secondStarted).toBe(true);
    expect(await outcome(reader, 'judge', 'timeout')).toBe(1);
    expect(await outcome(reader, 'judge', 'scored')).toBe(1);
    const scores = pointsWith<number>((await collectByName(reader)).get('llm_response_quality_score'), {
      'llm.task': 'judge',
    });
    expect(scores.map((p) => p.attributes['gen_ai.request.model'])).toEqual(['second']);
  });

  it('abandons evaluations that ignore the signal, at most maxAbandoned at a time, and counts them', async () => {
    const { reader } = installProvider();
    const evaluators = new EvaluatorRegistry();
    evaluators.configure({ concurrency: 1, maxAbandoned: 1, abandonAfterMs: 0 });
    const hung = deferred<EvaluationResult>();
    let started = 0;
    evaluators.add({
      name: 'hangs',
      sampleRate: 1,
      timeoutMs: 5,
      evaluate: () => {
        started++;
        return hung.promise; // ignores the signal
      },
    });
    for (let i = 0; i < 3; i++) evaluators.submit(CALL);
    // The first is abandoned and gives its slot back; the second is abandoned too but, with one
    // already abandoned, keeps its slot: the third waits.
    await until(async () => (await outcome(reader, 'hangs', 'abandoned')) === 2);
    await turns();
    expect(started).toBe(2);
    expect(evaluators.getStats()).toEqual({ queued: 1, running: 1, abandoned: 1 });
    hung.resolve(0.5); // they all finish at last: the third runs (and is abandoned in its turn or settles)
    await evaluators.whenIdle();
    expect(started).toBe(3);
    expect(evaluators.getStats()).toEqual({ queued: 0, running: 0, abandoned: 0 });
    expect(await outcome(reader, 'hangs', 'scored')).toBe(1); // the third saw a settled promise in time
    expect(await outcome(reader, 'hangs', 'timeout')).toBe(0);
  });

  it('rejects queue limits that would stall or break it (concurrency 0, NaN, strings) and keeps the old ones', () => {
    const evaluators = new EvaluatorRegistry();
    const before = evaluators.getOptions();
    for (const bad of [
      { concurrency: 0 },
      { concurrency: Number.NaN },
      { concurrency: '2' },
      { maxQueued: -1 },
      { maxAbandoned: 1.5 },
      { abandonAfterMs: Number.POSITIVE_INFINITY },
      { concurency: 2 },
    ]) {
      expect(() => evaluators.configure(bad as never), JSON.stringify(bad)).toThrow(LlmOtelConfigError);
    }
    expect(() => evaluators.configure({ concurrency: 0 })).toThrow(
      /concurrency must be an integer from 1 to 1000, got 0/,
    );
    expect(evaluators.getOptions()).toBe(before);
    evaluators.configure({ concurrency: undefined, maxQueued: 5 });
    expect(evaluators.getOptions()).toEqual({ ...before, maxQueued: 5 });
  });

  it('rejects evaluators with wrongly typed or out-of-range options', () => {
    const evaluators = new EvaluatorRegistry();
    const evaluate = () => 1;
    for (const bad of [
      { name: 'a', sampleRate: '0.5', evaluate },
      { name: 'a', sampleRate: Number.NaN, evaluate },
      { name: 'a', timeoutMs: Number.NaN, evaluate },
      { name: 'a', timeoutMs: 0, evaluate },
      { name: 'a', task: '', evaluate },
      { name: 'a', evaluate: 'nope' },
      null,
    ]) {
      expect(() => evaluators.add(bad as never), JSON.stringify(bad)).toThrow(LlmOtelConfigError);
    }
    expect(evaluators.active).toBe(false);
    expect(() => evaluators.add({ name: 'a', sampleRate: undefined, timeoutMs: undefined, evaluate })).not.toThrow();
  });

  it('counts every outcome it produces under a value the catalogue lists and describes', async () => {
    const { reader } = installProvider();
    const evaluators = new EvaluatorRegistry();
    evaluators.configure({ abandonAfterMs: 0, maxQueued: 6, concurrency: 6 });
    const never = deferred<EvaluationResult>();
    evaluators.add({ name: 'o-scored', sampleRate: 1, evaluate: () => 0.5 });
    evaluators.add({ name: 'o-skipped', sampleRate: 1, evaluate: () => undefined });
    evaluators.add({ name: 'o-failed', sampleRate: 1, evaluate: () => Number.NaN });
    evaluators.add({ name: 'o-timeout', sampleRate: 1, timeoutMs: 5, evaluate: (_c, { signal }) => aborted(signal) });
    evaluators.add({ name: 'o-abandoned', sampleRate: 1, timeoutMs: 5, evaluate: () => never.promise });
    evaluators.add({ name: 'o-dropped', sampleRate: 1, evaluate: () => 1 });
    evaluators.submit(CALL); // six jobs: the queue is full for the seventh
    evaluators.add({ name: 'o-late', sampleRate: 1, evaluate: () => 1 });
    evaluators.submit(CALL);
    await evaluators.whenIdle();
    const points = pointsWith<number>((await collectByName(reader)).get('llm_otel_evaluations_total'), {});
    const seen = new Set(points.map((p) => p.attributes['llm_otel.outcome']));
    expect([...seen].sort()).toEqual([...EVALUATION_OUTCOMES].sort());
    for (const value of EVALUATION_OUTCOMES) expect(INSTRUMENTS.evaluations.description).toContain(value);
    never.resolve(undefined);
  });
});
