import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ATTRIBUTE_LIMITS, getLlmMetrics, LlmMetrics, LlmOtelConfigError } from '../src/index.js';

describe('options of the recording API', () => {
  afterEach(() => getLlmMetrics().configure({ ...DEFAULT_ATTRIBUTE_LIMITS, genAiMetrics: false }));

  it.each([
    ['NaN', { maxDistinctValues: Number.NaN }, /maxDistinctValues must be an integer from 1 to 10000, got NaN/],
    ['Infinity', { maxDistinctModels: Number.POSITIVE_INFINITY }, /maxDistinctModels/],
    ['zero', { maxValueLength: 0 }, /maxValueLength/],
    ['a fraction', { maxDistinctValues: 2.5 }, /maxDistinctValues/],
    ['a string', { maxValueLength: '128' }, /maxValueLength must be an integer .* got "128"/],
    ['a string flag', { genAiMetrics: 'true' }, /genAiMetrics must be true or false/],
    ['null', { driftDetection: null }, /driftDetection must be true or false, got null/],
  ])('rejects %s with an LlmOtelConfigError naming the option', (_, options, message) => {
    for (const apply of [
      (o: object) => getLlmMetrics(o as never),
      (o: object) => getLlmMetrics().configure(o as never),
      (o: object) => new LlmMetrics(o as never),
    ]) {
      let thrown: unknown;
      try {
        apply(options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(LlmOtelConfigError);
      expect(thrown).toBeInstanceOf(Error);
      expect((thrown as Error).name).toBe('LlmOtelConfigError');
      expect((thrown as Error).message).toMatch(message);
    }
  });

  it('rejects an unknown key by name (a typo is not ignored)', () => {
    expect(() => getLlmMetrics({ maxDistinctValue: 10 } as never)).toThrow(/unknown option "maxDistinctValue"/);
    expect(() => getLlmMetrics().configure(null as never)).toThrow(LlmOtelConfigError);
  });

  it('changes nothing when one option of a call is invalid', () => {
    const m = getLlmMetrics();
    const before = { ...m.getOptions() };
    expect(() => m.configure({ maxDistinctValues: 7, maxValueLength: -1 })).toThrow(LlmOtelConfigError);
    expect(m.getOptions()).toEqual(before);
  });

  it('takes an explicit undefined as the default, not as "no limit"', () => {
    const m = getLlmMetrics({ maxDistinctValues: 5, maxDistinctModels: 3 });
    expect(m.getOptions().maxDistinctValues).toBe(5);
    m.configure({ maxDistinctValues: undefined, maxDistinctModels: undefined, maxValueLength: undefined });
    expect(m.getOptions()).toMatchObject(DEFAULT_ATTRIBUTE_LIMITS);
    expect(new LlmMetrics({ maxDistinctValues: undefined }).getOptions().maxDistinctValues).toBe(
      DEFAULT_ATTRIBUTE_LIMITS.maxDistinctValues,
    );
  });

  it('keeps the options left out of configure()', () => {
    const m = getLlmMetrics({ maxValueLength: 64 });
    m.configure({ genAiMetrics: true });
    expect(m.getOptions()).toMatchObject({ maxValueLength: 64, genAiMetrics: true });
  });

  it('still bounds model names after a rejected NaN', () => {
    const m = new LlmMetrics({ maxDistinctModels: 2 });
    expect(() => m.configure({ maxDistinctModels: Number.NaN })).toThrow(LlmOtelConfigError);
    const admitted = ['a', 'b', 'c', 'd'].map((v) => m.admit('gen_ai.request.model', v));
    expect(admitted).toEqual(['a', 'b', '_OTHER', '_OTHER']);
  });
});
