import { normalSf } from './special-functions.js';

/**
 * How the p-value is computed: `exact` (the permutation distribution of U; data without ties),
 * `asymptotic` (the normal approximation), or `auto` (SciPy's rule: exact when the smaller sample
 * has at most 8 values and there are no ties, else asymptotic).
 */
export type MannWhitneyMethod = 'auto' | 'exact' | 'asymptotic';

/** `exact` is computed up to this many cells (n a x n b); beyond, or with ties, the result is `asymptotic`. */
export const MANN_WHITNEY_EXACT_MAX_CELLS = 2500;

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
  /** The method used (`auto` resolved; `exact` asked with ties or too many cells gives `asymptotic`). */
  readonly method: 'exact' | 'asymptotic';
}

function medianSorted(sorted: Float64Array, from: number, to: number): number {
  const n = to - from;
  const mid = from + (n >> 1);
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The Mann-Whitney U test of two samples, two-sided, as `scipy.stats.mannwhitneyu(a, b,
 * use_continuity=True, method=...)`. Asymptotic: midranks for ties, the tie-corrected variance
 * n a n b / 12 ((n + 1) - Σ(t³ - t) / (n (n - 1))), and a continuity correction of 1/2; O(n log n).
 * Exact: twice the probability of a U at least as extreme under H0, from the distribution of U
 * counted over all arrangements (additions only, O(n a² n b²) at most {@link MANN_WHITNEY_EXACT_MAX_CELLS}
 * cells). The samples are not modified. All values equal: p is 1.
 */
export function mannWhitneyU(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  method: MannWhitneyMethod = 'auto',
): MannWhitneyResult {
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
  const ties = tieTerm > 0;
  const exact =
    !ties &&
    na * nb <= MANN_WHITNEY_EXACT_MAX_CELLS &&
    (method === 'exact' || (method === 'auto' && Math.min(na, nb) <= 8));
  if (exact) {
    const z = variance > 0 ? (u - mean) / Math.sqrt(variance) : 0;
    const pValue = Math.min(1, 2 * exactUpperTail(Math.max(u, na * nb - u), na, nb));
    return { statistic: u, z, pValue, rankBiserial, medianDifference, method: 'exact' };
  }
  if (!(variance > 0)) return { statistic: u, z: 0, pValue: 1, rankBiserial, medianDifference, method: 'asymptotic' };
  // SciPy: the larger of U and its complement, minus the mean and the continuity correction.
  const deviation = Math.abs(u - mean);
  const zAbs = Math.max(0, deviation - 0.5) / Math.sqrt(variance);
  const pValue = Math.min(1, 2 * normalSf(zAbs));
  return { statistic: u, z: Math.sign(u - mean) * zAbs, pValue, rankBiserial, medianDifference, method: 'asymptotic' };
}

/**
 * P(U >= k) under H0 for samples of m and n values without ties: the share of the C(m + n, m)
 * arrangements whose U is at least k. counts[j][u] is the number of arrangements of j values of the
 * first sample among the values so far with U = u; adding a value of the second sample (the
 * largest so far) adds to U the number of first-sample values placed after it.
 */
function exactUpperTail(k: number, m: number, n: number): number {
  // f[j] over the current count of second-sample values c: arrangements of j first-sample and c
  // second-sample values by U, f_c[j](u) = f_c[j-1](u - c) + f_{c-1}[j](u).
  let f: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1));
  for (let c = 1; c <= n; c++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= m; j++) {
      const row = new Float64Array(j * c + 1);
      const previous = f[j] as Float64Array; // c - 1 second-sample values
      row.set(previous);
      const shorter = next[j - 1] as Float64Array; // j - 1 first-sample values, c second-sample ones
      for (let u = 0; u < shorter.length; u++) row[u + c] = (row[u + c] as number) + (shorter[u] as number);
      next.push(row);
    }
    f = next;
  }
  const counts = f[m] as Float64Array;
  let total = 0;
  let tail = 0;
  for (let u = 0; u < counts.length; u++) {
    total += counts[u] as number;
    if (u >= k) tail += counts[u] as number;
  }
  return tail / total;
}
