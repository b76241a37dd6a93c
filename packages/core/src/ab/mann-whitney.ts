import { normalSf } from './special-functions.js';

/** Result of {@link mannWhitneyU}: the variant's sample (`a`) against the baseline's (`b`). */
export interface MannWhitneyResult {
  /** U of sample `a`: the number of pairs (x of a, y of b) with x > y, ties counted one half. */
  readonly statistic: number;
  /** The standardised statistic, continuity-corrected, signed like U - n a n b / 2. */
  readonly z: number;
  /** Two-sided p-value, normal approximation with tie and continuity corrections. */
  readonly pValue: number;
  /** Rank-biserial correlation 2 U / (n a n b) - 1, in [-1, 1]: positive when `a` tends to be larger. */
  readonly rankBiserial: number;
  /** median(a) - median(b). */
  readonly medianDifference: number;
}

function medianSorted(sorted: Float64Array, from: number, to: number): number {
  const n = to - from;
  const mid = from + (n >> 1);
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The Mann-Whitney U test of two samples, two-sided, as `scipy.stats.mannwhitneyu(a, b,
 * method='asymptotic', use_continuity=True)`: midranks for ties, the tie-corrected variance
 * n a n b / 12 ((n + 1) - Σ(t³ - t) / (n (n - 1))), and a continuity correction of 1/2.
 * O(n log n); the samples are not modified. All values equal: p is 1.
 */
export function mannWhitneyU(a: ArrayLike<number>, b: ArrayLike<number>): MannWhitneyResult {
  const na = a.length;
  const nb = b.length;
  if (na < 1 || nb < 1) throw new RangeError('mannWhitneyU needs at least 1 value in each sample');
  const n = na + nb;
  // Sort the pooled values with their origin: values of a get an index < na.
  const order = new Uint32Array(n);
  const pooled = new Float64Array(n);
  for (let i = 0; i < na; i++) pooled[i] = a[i] as number;
  for (let i = 0; i < nb; i++) pooled[na + i] = b[i] as number;
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => (pooled[i] as number) - (pooled[j] as number));
  let rankSumA = 0;
  let tieTerm = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    const value = pooled[order[start] as number] as number;
    while (end < n && pooled[order[end] as number] === value) end++;
    const midrank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) if ((order[k] as number) < na) rankSumA += midrank;
    const t = end - start;
    if (t > 1) tieTerm += t * t * t - t;
    start = end;
  }
  const u = rankSumA - (na * (na + 1)) / 2;
  const mean = (na * nb) / 2;
  const variance = ((na * nb) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const sortedA = Float64Array.from(a as ArrayLike<number>).sort();
  const sortedB = Float64Array.from(b as ArrayLike<number>).sort();
  const medianDifference = medianSorted(sortedA, 0, na) - medianSorted(sortedB, 0, nb);
  const rankBiserial = (2 * u) / (na * nb) - 1;
  if (!(variance > 0)) return { statistic: u, z: 0, pValue: 1, rankBiserial, medianDifference };
  // SciPy: the larger of U and its complement, minus the mean and the continuity correction.
  const deviation = Math.abs(u - mean);
  const zAbs = Math.max(0, deviation - 0.5) / Math.sqrt(variance);
  const pValue = Math.min(1, 2 * normalSf(zAbs));
  return { statistic: u, z: Math.sign(u - mean) * zAbs, pValue, rankBiserial, medianDifference };
}
