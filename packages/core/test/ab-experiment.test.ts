import { metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assignVariant,
  defineExperiment,
  defineVariant,
  type Experiment,
  getExperiment,
  LlmOtelConfigError,
  MAX_ARMS,
  type Variant,
} from '../src/index.js';
import { fnv1a32, resetExperimentsForTests, resetVariantsForTests } from '../src/internal.js';
import { collectByName, installProvider, type TestReader } from './collect.js';

let reader: TestReader;

beforeEach(() => {
  resetVariantsForTests();
  resetExperimentsForTests();
  ({ reader } = installProvider());
});

afterEach(() => metrics.disable());

const KEYS = 100_000;
const keys = Array.from({ length: KEYS }, (_, i) => `user-${i}`);

function counts(experiment: Experiment, list: readonly string[] = keys): Map<string, number> {
  const out = new Map<string, number>(experiment.arms.map((a) => [a.variant.name, 0]));
  for (const key of list) {
    const name = assignVariant(key, experiment).name;
    out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}

/** Pearson's chi-square of observed counts against expected shares. */
function chiSquare(observed: number[], shares: number[]): number {
  const total = observed.reduce((s, x) => s + x, 0);
  return observed.reduce((s, o, i) => {
    const e = total * (shares[i] as number);
    return s + ((o - e) * (o - e)) / e;
  }, 0);
}

// Chi-square quantiles at 0.999 (a test that fails once in a thousand runs of a broken split).
const CHI2_999 = { 1: 10.83, 2: 13.82, 3: 16.27, 9: 27.88 } as const;

const arms = (names: string[]): Variant[] => names.map((name) => defineVariant({ name }));

describe('FNV-1a over UTF-8', () => {
  it('matches the published FNV-1a 32 test vectors and TextEncoder bytes', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    const bytesHash = (s: string) => {
      let h = 0x811c9dc5;
      for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
      return h;
    };
    for (const s of ['ümlaut', '用户-42', 'emoji 😀 key', 'lone \ud800 surrogate', 'end \udc00'])
      expect(fnv1a32(s), s).toBe(bytesHash(s));
  });
});

describe('defineExperiment', () => {
  it('freezes the experiment; the baseline is the first arm or the one named; same arms: same object', () => {
    const [a, b, c] = arms(['a', 'b', 'c']) as [Variant, Variant, Variant];
    const e = defineExperiment({ name: 'checkout', variants: [a, { variant: b, weight: 3 }, c], baseline: 'b' });
    expect(Object.isFrozen(e)).toBe(true);
    expect(e.baseline).toBe(b);
    expect(e.arms.map((x) => [x.variant.name, x.weight])).toEqual([
      ['a', 1],
      ['b', 3],
      ['c', 1],
    ]);
    expect(defineExperiment({ name: 'checkout', variants: [a, { variant: b, weight: 3 }, c], baseline: b })).toBe(e);
    expect(getExperiment('checkout')).toBe(e);
    expect(defineExperiment({ name: 'other', variants: [a, b] }).baseline).toBe(a);
  });

  it('refuses invalid experiments with an LlmOtelConfigError naming the field', () => {
    const [a, b] = arms(['a', 'b']) as [Variant, Variant];
    const cases: Array<[unknown, RegExp]> = [
      [null, /needs an object/],
      [{ name: 'x', variants: [a, b], weights: [1, 1] }, /unknown key "weights"/],
      [{ name: 'bad name', variants: [a, b] }, /name "bad name" must be/],
      [{ name: 'x', variants: [a] }, /variants must be an array of 2 to/],
      [{ name: 'x', variants: Array.from({ length: MAX_ARMS + 1 }, () => a) }, /variants must be an array/],
      [{ name: 'x', variants: [a, a] }, /distinct/],
      [{ name: 'x', variants: [a, { name: 'b' }] }, /variants\[1\] must be a variant from defineVariant/],
      [{ name: 'x', variants: [a, { variant: b, weight: -1 }] }, /variants\[1\]\.weight must be a finite number >= 0/],
      [{ name: 'x', variants: [a, { variant: b, weight: Number.NaN }] }, /weight must be a finite number/],
      [
        {
          name: 'x',
          variants: [
            { variant: a, weight: 0 },
            { variant: b, weight: 0 },
          ],
        },
        /at least one weight/,
      ],
      [{ name: 'x', variants: [a, b], baseline: 'c' }, /baseline "c" is not one of the variants/],
    ];
    for (const [spec, message] of cases) {
      expect(() => defineExperiment(spec as never), String(message)).toThrow(LlmOtelConfigError);
      expect(() => defineExperiment(spec as never), String(message)).toThrow(message);
    }
    defineExperiment({ name: 'taken', variants: [a, b] });
    expect(() => defineExperiment({ name: 'taken', variants: [b, a] })).toThrow(/already declared with other arms/);
  });
});

describe('assignVariant', () => {
  it('is stable: the same keys get the same arms on every run and in every process (pinned values)', () => {
    const [a, b] = arms(['control', 'treatment']) as [Variant, Variant];
    const e = defineExperiment({ name: 'pricing-page', variants: [a, b] });
    const pinned = ['user-1', 'user-2', 'user-3', 'user-4', 'user-5', 'user-6', 'user-7', 'user-8', 42, 'sess:9f1c']
      .map((k) => assignVariant(k, e).name)
      .join(',');
    expect(pinned).toMatchInlineSnapshot(
      `"treatment,treatment,control,treatment,control,treatment,control,treatment,control,treatment"`,
    );
    // A number and its string are the same key.
    expect(assignVariant(42, e)).toBe(assignVariant('42', e));
  });

  it('splits 100,000 keys uniformly by weight (chi-square below its 0.999 quantile)', () => {
    const [a, b, c] = arms(['a', 'b', 'c']) as [Variant, Variant, Variant];
    const even = defineExperiment({ name: 'even', variants: [a, b] });
    const evenCounts = counts(even);
    expect(chiSquare([...evenCounts.values()], [0.5, 0.5])).toBeLessThan(CHI2_999[1]);
    const weighted = defineExperiment({
      name: 'weighted',
      variants: [
        { variant: a, weight: 1 },
        { variant: b, weight: 1 },
        { variant: c, weight: 2 },
      ],
    });
    const w = counts(weighted);
    expect(chiSquare([...w.values()], [0.25, 0.25, 0.5])).toBeLessThan(CHI2_999[2]);
    const skewed = defineExperiment({
      name: 'canary',
      variants: [
        { variant: a, weight: 95 },
        { variant: b, weight: 5 },
      ],
    });
    expect(chiSquare([...counts(skewed).values()], [0.95, 0.05])).toBeLessThan(CHI2_999[1]);
    // Within each arm the keys are spread too: their hashes' last digit (unrelated to the split) is uniform.
    const lastDigits = new Array<number>(10).fill(0);
    for (const key of keys) {
      const digit = Number(key.at(-1));
      if (assignVariant(key, even) === a) lastDigits[digit] = (lastDigits[digit] ?? 0) + 1;
    }
    expect(chiSquare(lastDigits, new Array(10).fill(0.1))).toBeLessThan(CHI2_999[9]);
  });

  it('splits independently per experiment (the experiment name is hashed with the key)', () => {
    const [a, b] = arms(['a', 'b']) as [Variant, Variant];
    const one = defineExperiment({ name: 'one', variants: [a, b] });
    const two = defineExperiment({ name: 'two', variants: [a, b] });
    const table = [0, 0, 0, 0];
    for (const key of keys) {
      const i = (assignVariant(key, one) === a ? 0 : 2) + (assignVariant(key, two) === a ? 0 : 1);
      table[i] = (table[i] ?? 0) + 1;
    }
    expect(chiSquare(table, [0.25, 0.25, 0.25, 0.25])).toBeLessThan(CHI2_999[3]);
  });

  it('changing one weight moves keys only to or from that arm, and no more than needed', () => {
    const [a, b, c] = arms(['a', 'b', 'c']) as [Variant, Variant, Variant];
    const before = defineExperiment({ name: 'ramp', variants: [a, b, c] });
    const assigned = keys.map((k) => assignVariant(k, before).name);
    // The same experiment after a restart with b's weight doubled.
    resetExperimentsForTests();
    const after = defineExperiment({
      name: 'ramp',
      variants: [a, { variant: b, weight: 2 }, c],
    });
    let moved = 0;
    for (const [i, key] of keys.entries()) {
      const now = assignVariant(key, after).name;
      if (now === assigned[i]) continue;
      moved++;
      expect(now, key).toBe('b');
    }
    // b's share goes from 1/3 to 1/2: the least that can move is 1/6 of the keys.
    expect(moved / KEYS).toBeGreaterThan(1 / 6 - 0.005);
    expect(moved / KEYS).toBeLessThan(1 / 6 + 0.005);
    // Pausing an arm (weight 0) moves only its keys, spread over the others by weight.
    resetExperimentsForTests();
    const paused = defineExperiment({ name: 'ramp', variants: [a, b, { variant: c, weight: 0 }] });
    for (const [i, key] of keys.entries()) {
      const now = assignVariant(key, paused).name;
      if (assigned[i] !== 'c') expect(now).toBe(assigned[i]);
      else expect(now).not.toBe('c');
    }
  });

  it('gives the baseline to an invalid key and counts it; never throws', async () => {
    const [a, b] = arms(['a', 'b']) as [Variant, Variant];
    const e = defineExperiment({ name: 'keys', variants: [a, b], baseline: 'b' });
    for (const bad of ['', Number.NaN, null, undefined, {}, 'x'.repeat(1025)])
      expect(assignVariant(bad as never, e)).toBe(b);
    expect(assignVariant('x'.repeat(1024), e)).toBeDefined();
    expect(() => assignVariant('k', { name: 'fake', arms: [], baseline: a } as never)).not.toThrow();
    const invalid = (await collectByName(reader)).get('llm_otel_invalid_input_total');
    const byReason = Object.fromEntries(
      (invalid?.dataPoints ?? []).map((p) => [p.attributes['llm_otel.reason'], p.value]),
    );
    expect(byReason).toEqual({ invalid_assignment_key: 6, invalid_experiment: 1 });
  });
});
