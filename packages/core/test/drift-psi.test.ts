import { describe, expect, it } from 'vitest';
import { binOf, PSI_EPSILON, populationStabilityIndex, psiEdges, quantileSorted } from '../src/drift/psi.js';

describe('Population Stability Index', () => {
  const reference = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('bins by reference quantiles (linear interpolation)', () => {
    // Quartiles of 1..10 at positions 2.25, 4.5, 6.75: 3.25, 5.5, 7.75.
    expect([...psiEdges(reference, 4)]).toEqual([3.25, 5.5, 7.75]);
    expect(quantileSorted(reference, 0.95)).toBeCloseTo(9.55, 12);
    expect(binOf([3.25, 5.5, 7.75], 3.25)).toBe(1); // an edge value belongs to the bin above it
    expect(binOf([3.25, 5.5, 7.75], 0)).toBe(0);
    expect(binOf([3.25, 5.5, 7.75], 100)).toBe(3);
  });

  it('equals the hand-computed value', () => {
    // Reference shares by bin (<3.25, [3.25,5.5), [5.5,7.75), >=7.75): 3, 2, 2, 3 of 10.
    // Current: 2 | 4 5 | 6 7 | 8 9 10 11 12 -> 0.1, 0.2, 0.2, 0.5.
    const current = [2, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const expected = (0.1 - 0.3) * Math.log(0.1 / 0.3) + 0 + 0 + (0.5 - 0.3) * Math.log(0.5 / 0.3);
    // = 0.2 ln 3 + 0.2 ln(5/3) = 0.21972 + 0.10217 = 0.321887...
    expect(expected).toBeCloseTo(0.3218875825, 9);
    expect(populationStabilityIndex(reference, current, { bins: 4 })).toBeCloseTo(expected, 12);
  });

  it('floors empty bins at epsilon (1e-4 by default)', () => {
    // Everything in the last bin: shares 0, 0, 0, 1 against 0.3, 0.2, 0.2, 0.3.
    const current = [20, 30, 40];
    const e = PSI_EPSILON;
    const expected = (e - 0.3) * Math.log(e / 0.3) + 2 * (e - 0.2) * Math.log(e / 0.2) + (1 - 0.3) * Math.log(1 / 0.3);
    expect(populationStabilityIndex(reference, current, { bins: 4 })).toBeCloseTo(expected, 12);
    const coarser = populationStabilityIndex(reference, current, { bins: 4, epsilon: 0.01 });
    expect(coarser).toBeLessThan(expected);
  });

  it('is 0 for identical samples and merges tied edges', () => {
    expect(populationStabilityIndex(reference, reference, { bins: 4 })).toBe(0);
    const scores = [0.8, 0.8, 0.8, 0.9, 0.9, 0.9, 1, 1, 1, 1];
    const edges = psiEdges(scores, 10);
    // Deciles at positions 0.9, 1.8, ..., 8.1: 0.8, 0.8, 0.87, 0.9, 0.9, 0.94, 1, 1, 1 -> duplicates merged.
    expect([...edges].map((e) => Math.round(e * 1e9) / 1e9)).toEqual([0.8, 0.87, 0.9, 0.94, 1]);
    expect(populationStabilityIndex(scores, [...scores].reverse(), { bins: 10 })).toBe(0);
  });

  it('rejects empty samples', () => {
    expect(() => populationStabilityIndex([], [1])).toThrow(RangeError);
  });
});
