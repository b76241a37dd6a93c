/**
 * Population Stability Index between a reference sample and a current sample:
 *
 *   PSI = sum over bins b of (c_b - r_b) * ln(c_b / r_b)
 *
 * where r_b and c_b are the shares of the reference and of the current sample in bin b.
 *
 * Bins come from the reference: the edges are its quantiles at 1/B, 2/B, ..., (B-1)/B (linear
 * interpolation between order statistics, numpy's default "type 7"), so each bin holds about 1/B of
 * the reference. Equal edges (ties, e.g. discrete scores) are merged, so there can be fewer than B
 * bins. A value v falls into bin i when edge[i-1] <= v < edge[i] (first bin unbounded below, last
 * unbounded above), for both samples alike.
 *
 * Empty bins: a share of 0 would make ln(c/r) infinite, so every share is floored at `epsilon`
 * (default {@link PSI_EPSILON} = 1e-4, i.e. at most ln(1e4) ~ 9.2 per empty bin), without
 * renormalising. The conventional reading: PSI < 0.1 no significant change, 0.1 to 0.2 moderate,
 * above 0.2 significant. Under H0 its expectation is about (B - 1) * (1/n_ref + 1/n_cur), so small
 * windows make PSI noisy.
 */

/** Floor of a bin share, used for empty bins. */
export const PSI_EPSILON = 1e-4;

/** Default number of reference-quantile bins. */
export const PSI_DEFAULT_BINS = 10;

/** The q-quantile (0 <= q <= 1) of an ascending sorted sample, with linear interpolation (type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const lower = sorted[lo] as number;
  return lower + (pos - lo) * ((sorted[hi] as number) - lower);
}

/**
 * Bin edges from the quantiles of a sorted reference sample: at most `bins - 1` strictly increasing
 * values (duplicates merged).
 */
export function psiEdges(sortedReference: ArrayLike<number>, bins: number = PSI_DEFAULT_BINS): Float64Array {
  if (!(Number.isInteger(bins) && bins >= 2)) throw new RangeError('PSI needs at least 2 bins');
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = quantileSorted(sortedReference, i / bins);
    if (edges.length === 0 || e > (edges[edges.length - 1] as number)) edges.push(e);
  }
  return Float64Array.from(edges);
}

/** Index of the bin of `value`: the number of edges <= value (binary search). */
export function binOf(edges: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bin shares (summing to 1) of a sample for the given edges, written into `out` (length edges + 1). */
export function binShares(
  sample: ArrayLike<number>,
  edges: ArrayLike<number>,
  out: Float64Array = new Float64Array(edges.length + 1),
): Float64Array {
  out.fill(0);
  const n = sample.length;
  for (let i = 0; i < n; i++) {
    const b = binOf(edges, sample[i] as number);
    out[b] = (out[b] as number) + 1;
  }
  if (n > 0) for (let b = 0; b < out.length; b++) out[b] = (out[b] as number) / n;
  return out;
}

/** PSI of two share vectors of equal length, flooring each share at `epsilon`. */
export function psiFromShares(
  referenceShares: ArrayLike<number>,
  currentShares: ArrayLike<number>,
  epsilon: number = PSI_EPSILON,
): number {
  let psi = 0;
  for (let b = 0; b < referenceShares.length; b++) {
    const r = Math.max(referenceShares[b] as number, epsilon);
    const c = Math.max(currentShares[b] as number, epsilon);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/**
 * PSI of `current` against `reference`, with `bins` reference-quantile bins.
 * @param reference the reference sample (any order; it is copied and sorted unless `sorted`)
 */
export function populationStabilityIndex(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: { bins?: number; epsilon?: number; sorted?: boolean } = {},
): number {
  if (reference.length === 0 || current.length === 0) throw new RangeError('PSI needs two non-empty samples');
  const sortedReference = options.sorted ? reference : Float64Array.from(reference).sort();
  const edges = psiEdges(sortedReference, options.bins ?? PSI_DEFAULT_BINS);
  return psiFromShares(binShares(sortedReference, edges), binShares(current, edges), options.epsilon);
}
