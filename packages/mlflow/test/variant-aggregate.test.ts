import { defineVariant, type VariantCall } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { RESERVOIR_SIZE } from '../src/index.js';
import { quantile, VariantAggregate, variantParams } from '../src/variant-aggregate.js';

const variant = defineVariant({ name: 'agg-test', templateVersion: 'v1', temperature: 0.5, maxTokens: 64 });

function call(durationSeconds: number, extra: Partial<VariantCall> = {}): VariantCall {
  return {
    variant,
    durationSeconds,
    failed: false,
    errorType: undefined,
    inputTokens: undefined,
    outputTokens: undefined,
    costUsd: undefined,
    temperature: undefined,
    topP: undefined,
    maxTokens: undefined,
    ...extra,
  };
}

describe('VariantAggregate', () => {
  it('percentiles are exact up to the reservoir size (linear between ranks)', () => {
    const a = new VariantAggregate(variant);
    for (let i = RESERVOIR_SIZE; i >= 1; i--) a.addCall(call(i));
    const m = a.metrics();
    expect(m.latency_p50_seconds).toBeCloseTo(
      quantile(
        Float64Array.from({ length: RESERVOIR_SIZE }, (_, i) => i + 1),
        0.5,
      ),
      12,
    );
    expect(m.latency_p50_seconds).toBeCloseTo(512.5, 12);
    expect(m.latency_p95_seconds).toBeCloseTo(1 + 0.95 * (RESERVOIR_SIZE - 1), 12);
  });

  it('stays fixed-size beyond it: a uniform sample keeps the percentiles of a long run', () => {
    // A deterministic generator (LCG) stands in for Math.random.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const a = new VariantAggregate(variant, random);
    // 100000 calls: 90% at 0.1 s, 10% at 10 s.
    for (let i = 0; i < 100_000; i++) a.addCall(call(i % 10 === 1 ? 10 : 0.1, { failed: i % 10 === 0 }));
    const m = a.metrics();
    expect(m).toMatchObject({ calls: 100_000, errors: 10_000, error_ratio: 0.1, latency_p50_seconds: 0.1 });
    expect(m.latency_mean_seconds).toBeCloseTo(0.9 * 0.1 + 0.1 * 10, 9);
    expect(m.latency_p95_seconds).toBe(10);
  });

  it('counts requests whose sampling differs from the declared one; params are the declared values', () => {
    const a = new VariantAggregate(variant);
    a.addCall(call(1, { temperature: 0.5, maxTokens: 64 }));
    a.addCall(call(1, { temperature: 0.7 }));
    a.addCall(call(1, { maxTokens: 65 }));
    a.addCall(call(1, { topP: 0.1 })); // the variant declares no top_p
    a.addCall(call(1));
    expect(a.metrics().sampling_mismatch_calls).toBe(2);
    expect(variantParams(variant)).toEqual([
      { key: 'variant', value: 'agg-test' },
      { key: 'template_version', value: 'v1' },
      { key: 'temperature', value: '0.5' },
      { key: 'max_tokens', value: '64' },
    ]);
  });
});
