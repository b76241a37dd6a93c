import { context, metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  currentVariant,
  defineVariant,
  getLlmMetrics,
  LlmOtelConfigError,
  MAX_VARIANTS,
  type Variant,
  type VariantCall,
  withVariant,
} from '../src/index.js';
import {
  EvaluatorRegistry,
  resetVariantsForTests,
  setVariantContextSetup,
  templateFingerprint,
} from '../src/internal.js';
import { TestContextManager } from './async-context.js';
import { collectByName, installProvider, type TestReader } from './collect.js';

let reader: TestReader;
const calls: VariantCall[] = [];
const scores: Array<[string, number]> = [];

beforeEach(() => {
  resetVariantsForTests();
  ({ reader } = installProvider());
  calls.length = 0;
  scores.length = 0;
  getLlmMetrics().setVariantSink({
    call: (c) => calls.push({ ...c }),
    qualityScore: (v, s) => scores.push([v.name, s]),
  });
});

afterEach(() => {
  getLlmMetrics().setVariantSink(undefined);
  setVariantContextSetup(undefined);
  context.disable();
  metrics.disable();
});

function useContextManager(): void {
  context.setGlobalContextManager(new TestContextManager());
}

async function invalidInputs(): Promise<Record<string, number>> {
  const metric = (await collectByName(reader)).get('llm_otel_invalid_input_total');
  const out: Record<string, number> = {};
  for (const p of metric?.dataPoints ?? []) out[String(p.attributes['llm_otel.reason'])] = p.value as number;
  return out;
}

describe('defineVariant', () => {
  it('freezes the variant, derives a template hash and returns the same object for the same fields', () => {
    const v = defineVariant({
      name: 'concise-v2',
      template: 'Answer briefly: {q}',
      templateVersion: 'v2',
      temperature: 0.2,
    });
    expect(v).toEqual({
      name: 'concise-v2',
      template: 'Answer briefly: {q}',
      templateVersion: 'v2',
      templateHash: templateFingerprint('Answer briefly: {q}'),
      temperature: 0.2,
    });
    expect(Object.isFrozen(v)).toBe(true);
    expect(v.templateHash).toMatch(/^fnv1a64:[0-9a-f]{16}$/);
    expect(templateFingerprint('')).toBe('fnv1a64:cbf29ce484222325');
    expect(templateFingerprint('a')).toBe('fnv1a64:af63dc4c8601ec8c');
    expect(
      defineVariant({ name: 'concise-v2', template: 'Answer briefly: {q}', templateVersion: 'v2', temperature: 0.2 }),
    ).toBe(v);
    expect(defineVariant({ name: 'h', templateHash: 'sha256:ab' }).templateHash).toBe('sha256:ab');
  });

  it('throws LlmOtelConfigError for bad fields, unknown keys, a redefinition and too many names', () => {
    const bad: unknown[] = [
      undefined,
      { name: '' },
      { name: 'has space' },
      { name: 'x'.repeat(65) },
      { name: 'a', temperature: -1 },
      { name: 'a', temperature: Number.NaN },
      { name: 'a', topP: 1.5 },
      { name: 'a', maxTokens: 0 },
      { name: 'a', maxTokens: 1.5 },
      { name: 'a', templateVersion: 'v\n1' },
      { name: 'a', template: 42 },
      { name: 'a', temprature: 0.5 },
    ];
    for (const spec of bad)
      expect(() => defineVariant(spec as never), JSON.stringify(spec)).toThrow(LlmOtelConfigError);
    defineVariant({ name: 'a', temperature: 0.1 });
    expect(() => defineVariant({ name: 'a', temperature: 0.9 })).toThrow(/already declared/);
    for (let i = 1; i < MAX_VARIANTS; i++) defineVariant({ name: `v${i}` });
    expect(() => defineVariant({ name: 'one-too-many' })).toThrow(/at most 100/);
  });
});

describe('withVariant', () => {
  it('keeps concurrent requests on their own variant across awaits and timers', async () => {
    useContextManager();
    const a = defineVariant({ name: 'a' });
    const b = defineVariant({ name: 'b' });
    const seen: string[] = [];
    const request = (v: Variant, delays: number[]) =>
      withVariant(v, async () => {
        for (const ms of delays) {
          await new Promise((resolve) => setTimeout(resolve, ms));
          seen.push(`${v.name}:${currentVariant()?.name}`);
          getLlmMetrics().recordInference({ provider: 'openai', operation: 'chat', durationSeconds: 0.1 });
        }
        return v.name;
      });
    expect(await Promise.all([request(a, [5, 1, 5]), request(b, [1, 5, 1])])).toEqual(['a', 'b']);
    expect(currentVariant()).toBeUndefined();
    expect(seen.every((s) => s.split(':')[0] === s.split(':')[1])).toBe(true);
    expect(calls.map((c) => c.variant.name).sort()).toEqual(['a', 'a', 'a', 'b', 'b', 'b']);
  });

  it('passes the return value and the error of fn through unchanged', async () => {
    useContextManager();
    const v = defineVariant({ name: 'v' });
    const error = new Error('app');
    expect(withVariant(v, () => 42)).toBe(42);
    expect(() =>
      withVariant(v, () => {
        throw error;
      }),
    ).toThrow(error);
    await expect(withVariant(v, async () => Promise.reject(error))).rejects.toBe(error);
  });

  it('sets up a context manager through the registered set-up when none works', () => {
    const v = defineVariant({ name: 'v' });
    let setUps = 0;
    setVariantContextSetup(() => {
      setUps++;
      return new TestContextManager();
    });
    expect(withVariant(v, () => currentVariant())).toBe(v);
    expect(withVariant(v, () => currentVariant())).toBe(v);
    expect(setUps).toBe(1);
  });

  it('without any context manager runs fn without the variant (counted, not thrown)', async () => {
    const v = defineVariant({ name: 'v' });
    let ran = 0;
    expect(withVariant(v, () => (ran++, currentVariant()))).toBeUndefined();
    expect(ran).toBe(1);
    const internal = (await collectByName(reader)).get('llm_otel_internal_errors_total');
    expect(internal?.dataPoints.map((p) => p.attributes['llm_otel.component'])).toContain('variantContext');
  });

  it('drops a variant not made by defineVariant (counted) and still runs fn', async () => {
    useContextManager();
    expect(withVariant({ name: 'forged' } as Variant, () => currentVariant())).toBeUndefined();
    expect((await invalidInputs()).invalid_variant).toBe(1);
  });
});

describe('recordInference and the variant sink', () => {
  it("sends the record's variant, outcome, tokens, cost and valid sampling parameters; null means none", async () => {
    useContextManager();
    const a = defineVariant({ name: 'a' });
    const b = defineVariant({ name: 'b' });
    const m = getLlmMetrics();
    m.recordInference({
      provider: 'openai',
      operation: 'chat',
      model: 'gpt-4o-mini',
      durationSeconds: 0.5,
      inputTokens: 1000,
      outputTokens: 100,
      variant: a,
      temperature: 0.7,
      topP: 0.9,
      maxTokens: 256,
    });
    // The record's variant (read at call start) wins over the active one.
    withVariant(b, () => {
      m.recordInference({ provider: 'openai', operation: 'chat', durationSeconds: 1, error: 'rate_limit', variant: a });
      m.recordInference({ provider: 'openai', operation: 'chat', durationSeconds: 1, variant: null });
      m.recordInference({ provider: 'openai', operation: 'chat', durationSeconds: 2, temperature: -3 });
    });
    m.recordInference({ provider: 'openai', operation: 'chat', durationSeconds: 1 });
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatchObject({
      variant: a,
      durationSeconds: 0.5,
      failed: false,
      inputTokens: 1000,
      outputTokens: 100,
      temperature: 0.7,
      topP: 0.9,
      maxTokens: 256,
    });
    expect(calls[0]?.costUsd).toBeGreaterThan(0);
    expect(calls[1]).toMatchObject({ variant: a, failed: true, errorType: 'rate_limit', costUsd: undefined });
    expect(calls[2]).toMatchObject({ variant: b, durationSeconds: 2, temperature: undefined });
    expect((await invalidInputs()).invalid_sampling_parameter).toBe(1);
  });

  it('leaves the metrics exactly as without a variant (no label)', async () => {
    useContextManager();
    const a = defineVariant({ name: 'a' });
    withVariant(a, () =>
      getLlmMetrics().recordInference({ provider: 'openai', operation: 'chat', durationSeconds: 1, temperature: 1 }),
    );
    const latency = (await collectByName(reader)).get('llm_inference_latency_seconds');
    expect(latency?.dataPoints.map((p) => p.attributes)).toEqual([
      { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat' },
    ]);
  });

  it('a throwing sink is counted, never thrown; quality scores go to the variant given or active', async () => {
    useContextManager();
    const a = defineVariant({ name: 'a' });
    const m = getLlmMetrics();
    m.recordQualityScore(0.8, { variant: a });
    withVariant(a, () => m.recordQualityScore(0.6));
    withVariant(a, () => m.recordQualityScore(0.4, { variant: null }));
    m.recordQualityScore(0.2);
    expect(scores).toEqual([
      ['a', 0.8],
      ['a', 0.6],
    ]);
    m.setVariantSink({
      call: () => {
        throw new Error('sink bug');
      },
      qualityScore: () => {},
    });
    expect(() =>
      m.recordInference({ provider: 'openai', operation: 'chat', durationSeconds: 1, variant: a }),
    ).not.toThrow();
    const internal = (await collectByName(reader)).get('llm_otel_internal_errors_total');
    expect(internal?.dataPoints.map((p) => p.attributes['llm_otel.component'])).toContain('variantSink');
    const latency = (await collectByName(reader)).get('llm_inference_latency_seconds');
    expect(latency?.dataPoints).toHaveLength(1);
  });
});

describe('evaluators and variants', () => {
  it("an evaluator's score goes to the scored call's variant, whatever context the queue drains in", async () => {
    useContextManager();
    const a = defineVariant({ name: 'a' });
    const b = defineVariant({ name: 'b' });
    const registry = new EvaluatorRegistry();
    registry.add({ name: 'judge', sampleRate: 1, evaluate: () => 0.9 });
    const call = { provider: 'openai', operation: 'chat', durationSeconds: 1, request: {}, response: 'x' };
    // Submitted under b (the drain is scheduled in b's context), for calls of a and of no variant.
    withVariant(b, () => {
      registry.submit({ ...call, variant: a });
      registry.submit(call);
    });
    await registry.whenIdle();
    expect(scores).toEqual([['a', 0.9]]);
  });
});
