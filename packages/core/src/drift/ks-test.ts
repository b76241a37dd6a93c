/**
 * Two-sample Kolmogorov-Smirnov test: the statistic and its p-value, two-sided or one-sided, written
 * out here so that `@llm-otel/core` keeps `@opentelemetry/api` as its only dependency.
 *
 * Two p-value methods, the two of SciPy's `scipy.stats.ks_2samp` (tests compare both with SciPy to
 * 1e-6 on fixed samples, see `test/drift-reference/`):
 *
 * - `exact`: the permutation distribution of D under H0, i.e. the share of the C(n1 + n2, n1) lattice
 *   paths that leave the band |i/n1 - j/n2| < d (Hodges 1958). For n1 = n2 a closed alternating sum
 *   (O(n)); otherwise a dynamic program over the (n1 + 1) x (n2 + 1) lattice, normalised so that no
 *   value exceeds 1 (the recursion of R's `psmirnov`), O(n1 * n2) time and O(min(n1, n2)) memory.
 *   Like SciPy it treats the data as continuous: with ties the test is conservative.
 * - `asymp`: SciPy's large-sample method, Pr(D_en >= d) of the one-sample two-sided Kolmogorov
 *   distribution for en = round(n1 * n2 / (n1 + n2)) (`scipy.stats.kstwo.sf(d, round(en))`). That
 *   finite-n distribution is itself the small-sample correction of Kolmogorov's limit law; it is
 *   computed with the algorithm selection of Simard and L'Ecuyer (2011) as SciPy does: Ruben-Gambino
 *   closed forms at the edges, the Durbin matrix (Marsaglia-Tsang-Wang) and Pomeranz recursions for
 *   small n * d^2, the Pelz-Good expansion, and twice the exact one-sided Smirnov tail for large d.
 *   On the two-sample problem it is slightly liberal for small samples (its p-values are a little
 *   below the exact ones), hence:
 * - `auto` (default): `exact` when n1 = n2 (cheap closed form) or n1 * n2 <= {@link EXACT_MAX_CELLS}
 *   (at most a few hundred microseconds), else `asymp`. SciPy's own `auto` uses `exact` up to
 *   max(n1, n2) = 10 000, which would cost up to 1e8 steps per evaluation here.
 *
 * One-sided tests (`alternative` `greater` or `less`, SciPy's names and meaning) use the one-sided
 * statistic D+ = max(F1 - F2) or D- = max(F2 - F1). Under H0 both have the same distribution, symmetric
 * in n1 and n2 (reverse the pooled order, or swap the samples). `exact`: for n1 = n2 the closed form
 * C(2n, n - h) / C(2n, n); otherwise the share of lattice paths that reach the one-sided boundary
 * (the same dynamic program, with one wall). `asymp`: SciPy's Hodges (1958, eq. 5.3) approximation
 * exp(-2 z^2 - 2 z (m + 2n) / (3 sqrt(m n (m + n)))), z = sqrt(m n / (m + n)) D, m >= n.
 */

/** Which p-value computation to use. */
export type KsMethod = 'auto' | 'exact' | 'asymp';

/**
 * The alternative hypothesis, as in SciPy's `ks_2samp(a, b, alternative=...)`, with F1 and F2 the
 * distribution functions of the first and the second sample:
 * - `two-sided`: F1 != F2 (statistic D = max |F1 - F2|);
 * - `greater`: F1 > F2 somewhere, i.e. the first sample tends to be smaller (statistic D+ = max(F1 - F2));
 * - `less`: F1 < F2 somewhere, i.e. the first sample tends to be larger (statistic D- = max(F2 - F1)).
 */
export type KsAlternative = 'two-sided' | 'greater' | 'less';

/** All three KS statistics of two samples. */
export interface KsStatistics {
  /** max |F1 - F2| */
  readonly d: number;
  /** max(F1 - F2), at least 0 */
  readonly dPlus: number;
  /** max(F2 - F1), at least 0 */
  readonly dMinus: number;
}

/** Result of {@link ksTwoSample}. */
export interface KsResult {
  /** The statistic of the alternative (D, D+ or D-, see {@link KsAlternative}), in [0, 1]. */
  readonly statistic: number;
  /** The probability of a statistic at least as large when both samples share a distribution. */
  readonly pValue: number;
  /** The method actually used (`auto` resolved). */
  readonly method: 'exact' | 'asymp';
  readonly alternative: KsAlternative;
}

/** `auto` uses the exact lattice-path computation up to this many cells (n1 * n2). */
export const EXACT_MAX_CELLS = 250_000;

/**
 * Above this many cells a one-sided `exact` request with unequal sizes is answered with `asymp`
 * (the result says so), as SciPy falls back when its exact count fails: the one-sided walk has no
 * band to stay in, so its cost is the whole n1 * n2 lattice (about 0.1 s at this size).
 */
export const EXACT_ONE_SIDED_MAX_CELLS = 25_000_000;

/**
 * The two-sample KS statistic of two samples that are already sorted ascending (ties allowed).
 * O(n1 + n2). Matches SciPy: the largest |F1 - F2| over all data points, with right-continuous
 * empirical distribution functions.
 */
export function ksStatisticSorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return ksStatisticsSorted(a, b).d;
}

/**
 * D, D+ and D- of two samples already sorted ascending (ties allowed), in one O(n1 + n2) pass; each
 * matches SciPy's statistic for the corresponding `alternative`.
 */
export function ksStatisticsSorted(a: ArrayLike<number>, b: ArrayLike<number>): KsStatistics {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ksStatisticSorted needs two non-empty samples');
  let i = 0;
  let j = 0;
  let dPlus = 0;
  let dMinus = 0;
  while (i < n1 && j < n2) {
    const ai = a[i] as number;
    const bj = b[j] as number;
    const x = ai <= bj ? ai : bj;
    while (i < n1 && (a[i] as number) <= x) i++;
    while (j < n2 && (b[j] as number) <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > dPlus) dPlus = diff;
    else if (-diff > dMinus) dMinus = -diff;
  }
  // Once a sample is exhausted its CDF is 1 and F1 - F2 moves monotonically to 0, towards 0 from
  // the side it is on: neither extreme grows any more.
  return { d: Math.max(dPlus, dMinus), dPlus, dMinus };
}

/** The statistic of `alternative` among the three. */
export function ksStatisticOf(stats: KsStatistics, alternative: KsAlternative): number {
  return alternative === 'two-sided' ? stats.d : alternative === 'greater' ? stats.dPlus : stats.dMinus;
}

/**
 * The two-sample Kolmogorov-Smirnov test.
 * @param a first sample (finite numbers)
 * @param b second sample (finite numbers)
 * @param options `method` (default `auto`); `alternative` (default `two-sided`, see
 *   {@link KsAlternative}); `sorted: true` when both inputs are already sorted ascending (they are
 *   then not copied).
 */
export function ksTwoSample(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: { method?: KsMethod; sorted?: boolean; alternative?: KsAlternative } = {},
): KsResult {
  const sa = options.sorted ? a : Float64Array.from(a).sort();
  const sb = options.sorted ? b : Float64Array.from(b).sort();
  const alternative = options.alternative ?? 'two-sided';
  const d = ksStatisticOf(ksStatisticsSorted(sa, sb), alternative);
  return ksPValue(d, sa.length, sb.length, options.method ?? 'auto', alternative);
}

/**
 * The p-value of a two-sample KS statistic `d` (D, or D+ / D- for a one-sided `alternative`) for
 * sample sizes `n1` and `n2`. With `exact`, `d` is first rounded to the lattice (a multiple of
 * 1 / lcm(n1, n2)), as SciPy does, and the returned statistic is the rounded one.
 */
export function ksPValue(
  d: number,
  n1: number,
  n2: number,
  method: KsMethod = 'auto',
  alternative: KsAlternative = 'two-sided',
): KsResult {
  if (!(Number.isInteger(n1) && Number.isInteger(n2) && n1 > 0 && n2 > 0))
    throw new RangeError('sample sizes must be positive integers');
  if (!(d >= 0 && d <= 1)) throw new RangeError(`KS statistic ${d} is not in [0, 1]`);
  if (alternative !== 'two-sided' && alternative !== 'greater' && alternative !== 'less')
    throw new RangeError(`KS alternative must be two-sided, greater or less, got ${String(alternative)}`);
  const twoSided = alternative === 'two-sided';
  const useExact =
    (method === 'exact' && (twoSided || n1 === n2 || n1 * n2 <= EXACT_ONE_SIDED_MAX_CELLS)) ||
    (method === 'auto' && (n1 === n2 || n1 * n2 <= EXACT_MAX_CELLS));
  if (useExact) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    const statistic = h / lcm;
    if (h === 0) return { statistic, pValue: 1, method: 'exact', alternative };
    let p: number;
    if (twoSided) p = n1 === n2 ? probOutsideSquare(n1, h) : 1 - probInsideBand(n1, n2, h * g);
    else p = n1 === n2 ? probAboveLineSquare(n1, h) : 1 - probBelowLine(n1, n2, h * g);
    return { statistic, pValue: clip01(p), method: 'exact', alternative };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  if (twoSided)
    return { statistic: d, pValue: clip01(kolmogorovSf(roundHalfEven(en), d)), method: 'asymp', alternative };
  const z = Math.sqrt(en) * d;
  const p = Math.exp(-2 * z * z - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3);
  return { statistic: d, pValue: clip01(p), method: 'asymp', alternative };
}

// ---- exact two-sample distribution ---------------------------------------------------------------

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Pr(D_{n,n} >= h / n) = 2 * sum_{k>=1} (-1)^(k-1) C(2n, n - k h) / C(2n, n), evaluated as SciPy does
 * with a Horner scheme over ratios (no cancellation, no overflow).
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * Share of the monotone lattice paths from (0, 0) to (n1, n2) that stay strictly inside the band
 * |i * n2 - j * n1| < limit (all integers, so the boundary test is exact). u[j] holds
 * paths(i, j) / C(i + n, i), which is at most 1: the recursion multiplies by i / (i + n) per row.
 */
function probInsideBand(n1: number, n2: number, limit: number): number {
  // Iterate over the larger size, keep a row of the smaller one.
  const [m, n, mStep, nStep] = n1 >= n2 ? [n1, n2, n2, n1] : [n2, n1, n1, n2];
  // Point (i, j), i in 0..m, j in 0..n, is inside when |i * mStep - j * nStep| < limit. In row i
  // that is the contiguous range lo..hi, and both ends only move right as i grows, so only the
  // band is visited (O(m * band width)); entries left of it are zeroed once as the band leaves them.
  const u = new Float64Array(n + 1);
  let prevLo = 0;
  let prevHi = Math.min(n, Math.ceil(limit / nStep) - 1);
  for (let j = 0; j <= prevHi; j++) u[j] = 1;
  for (let i = 1; i <= m; i++) {
    const w = i / (i + n);
    const x = i * mStep;
    const lo = Math.max(0, Math.floor((x - limit) / nStep) + 1);
    const hi = Math.min(n, Math.ceil((x + limit) / nStep) - 1);
    for (let j = prevLo; j < lo && j <= prevHi; j++) u[j] = 0;
    if (lo > hi) return 0;
    u[lo] = w * (u[lo] as number) + (lo > 0 ? (u[lo - 1] as number) : 0);
    for (let j = lo + 1; j <= hi; j++) u[j] = w * (u[j] as number) + (u[j - 1] as number);
    prevLo = lo;
    prevHi = hi;
  }
  return u[n] as number;
}

/** One-sided, n1 = n2 = n: Pr(D+ >= h / n) = C(2n, n - h) / C(2n, n) = prod_{j<h} (n - j) / (n + j + 1). */
function probAboveLineSquare(n: number, h: number): number {
  let p = 1;
  for (let j = 0; j < h && p > 0; j++) p *= (n - j) / (n + j + 1);
  return p;
}

/**
 * Share of the monotone lattice paths from (0, 0) to (n1, n2) that stay strictly below the one-sided
 * boundary i * n' - j * m' < limit (the larger size on i; by the symmetry of D+ and D- the orientation
 * does not change the probability). Same normalised recursion as {@link probInsideBand}, with one
 * wall, so O(n1 * n2) time and O(min(n1, n2)) memory.
 */
function probBelowLine(n1: number, n2: number, limit: number): number {
  const [m, n, mStep, nStep] = n1 >= n2 ? [n1, n2, n2, n1] : [n2, n1, n1, n2];
  const u = new Float64Array(n + 1).fill(1); // row 0: every point is below the boundary
  let prevLo = 0;
  for (let i = 1; i <= m; i++) {
    const w = i / (i + n);
    const lo = Math.max(0, Math.floor((i * mStep - limit) / nStep) + 1);
    if (lo > n) return 0;
    for (let j = prevLo; j < lo; j++) u[j] = 0;
    u[lo] = w * (u[lo] as number); // (i, lo - 1) is beyond the wall: nothing comes from the left
    for (let j = lo + 1; j <= n; j++) u[j] = w * (u[j] as number) + (u[j - 1] as number);
    prevLo = lo;
  }
  return u[n] as number;
}

// ---- one-sample Kolmogorov distribution (scipy.stats.kstwo) ---------------------------------------

const LOG_2PI = Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const SQRT3 = Math.sqrt(3);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const MIN_LOG = -708;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
/** Stirling series coefficients B_2j / (2j (2j - 1)), j = 8 ... 1. */
const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** Rounds half to even, like numpy's `round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** log(n! / n^n) by Stirling's series without the n log n term. */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/**
 * Pr(D_n >= x) for the two-sided one-sample KS statistic D_n of n observations (SciPy's
 * `kstwo.sf(x, n)`), with the method selection of Simard and L'Ecuyer (2011) that SciPy uses.
 */
export function kolmogorovSf(n: number, x: number): number {
  if (!(Number.isInteger(n) && n > 0)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben-Gambino: 1/(2n) <= x <= 1/n.
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= (i / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - prob);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n); // Ruben-Gambino
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x)); // the two one-sided events are disjoint
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip01(1 - kolmogorovCdfDurbin(n, x));
    if (nx2 <= 4) return clip01(1 - kolmogorovCdfPomeranz(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnovSf(n, x));
  let cdf: number;
  if (nx2 >= 18) cdf = 1;
  else if (n <= 100_000 && n * x ** 1.5 <= 1.4) cdf = kolmogorovCdfDurbin(n, x);
  else cdf = kolmogorovCdfPelzGood(n, x);
  return clip01(1 - cdf);
}

/**
 * Pr(D_n^+ >= x), the one-sided Smirnov tail (SciPy's `special.smirnov(n, x)`), by the exact
 * Birnbaum-Tingey sum x * sum_{j=0}^{floor(n(1-x))} C(n, j) (x + j/n)^(j-1) (1 - x - j/n)^(n-j). All
 * terms are positive (no cancellation); each is evaluated in log space.
 */
export function smirnovSf(n: number, x: number): number {
  if (!(Number.isInteger(n) && n > 0)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const jmax = Math.floor(n * (1 - x) + 1e-12 * n);
  let logBinom = 0; // log C(n, j)
  let sum = 0;
  for (let j = 0; j <= jmax; j++) {
    if (j > 0) logBinom += Math.log(n - j + 1) - Math.log(j);
    const lead = x + j / n;
    const rest = 1 - lead;
    if (rest <= 0 && n - j > 0) continue; // (1 - x - j/n)^(n-j) = 0
    let log = logBinom + (j - 1) * Math.log(lead);
    if (n - j > 0) log += (n - j) * Math.log(rest);
    sum += Math.exp(log);
  }
  return clip01(x * sum);
}

/**
 * Pr(D_n <= d) by Durbin's matrix method as organised by Marsaglia, Tsang and Wang (2003): the k-th
 * diagonal entry of H^n * n! / n^n, for d = (k - h) / n. O(m^3 log n) with m = 2k - 1, used only for
 * small n * d.
 */
function kolmogorovCdfDurbin(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H: Float64Array = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)] as number;
  for (let r = 0; r < m; r++) H[r * m] = v[r] as number;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c] as number;

  let power: Float64Array = identity(m);
  let nn = n;
  let expnt = 0;
  let hExpnt = 0;
  while (nn > 0) {
    if (nn % 2 === 1) {
      power = matmul(power, H, m);
      expnt += hExpnt;
    }
    H = matmul(H, H, m);
    hExpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)] as number) > EP128) {
      for (let i = 0; i < H.length; i++) H[i] = (H[i] as number) / EP128;
      hExpnt += 128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = power[(k - 1) * m + (k - 1)] as number;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= 128;
    }
  }
  if (expnt !== 0) p *= 2 ** expnt;
  return clip01(p);
}

function identity(m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) out[i * m + i] = 1;
  return out;
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l] as number;
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] = (out[i * m + j] as number) + ail * (b[l * m + j] as number);
    }
  }
  return out;
}

function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Pr(D_n <= x) by the Pomeranz (1974) recursion, scaled against underflow. */
function kolmogorovCdfPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1;
  twogpower[0] = 1;
  onem2gpower[0] = 1;
  let expnt = 0;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = ((gpower[m - 1] as number) * (g / n)) / m;
    twogpower[m] = ((twogpower[m - 1] as number) * ((2 * g) / n)) / m;
    onem2gpower[m] = ((onem2gpower[m - 1] as number) * ((1 - 2 * g) / n)) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let [j1, j2] = pomeranzBounds(0, n, ll, ceilf, roundf);
  const conv = new Float64Array(4 * npwrs + 2);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 === 1 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = full convolution of V0[k1 - V0s .. + ln2) and pwrs[0 .. ln2).
      const off = k1 - V0s;
      const len = 2 * ln2 - 1;
      conv.fill(0, 0, len);
      for (let a = 0; a < ln2; a++) {
        const va = off + a >= 0 && off + a < npwrs ? (V0[off + a] as number) : 0;
        if (va === 0) continue;
        for (let b = 0; b < ln2 && b < npwrs; b++) conv[a + b] = (conv[a + b] as number) + va * (pwrs[b] as number);
      }
      const start = j1 - k1;
      const count = j2 - j1 + 1;
      let max = 0;
      for (let c = 0; c < count; c++) {
        const value = conv[start + c] as number;
        V1[c] = value;
        if (value > max) max = value;
      }
      if (max > 0 && max < EM128) {
        for (let c = 0; c < npwrs; c++) V1[c] = (V1[c] as number) * EP128;
        expnt -= 128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s] as number;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += 128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans *= 2 ** expnt;
  return clip01(ans);
}

/** Pr(D_n <= x) by the Pelz-Good (1976) asymptotic expansion (to the n^-3/2 term). */
function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qpower = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let c = 0; c < 4; c++) K[c] = (K[c] as number) * qpower + (coeffs[c] as number);
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let c = 0; c < 4; c++) K[c] = ((K[c] as number) * q * SQRT_2PI) / (divisors[c] as number);
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = SQRT3 * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qp = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qp;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  K[2] = (K[2] as number) + (k2extra * PI2 * SQRT_2PI) / (-36 * z3);
  K[3] = (K[3] as number) + (k3extra * PI2 * SQRT_2PI) / (216 * z6);
  let sum = 0;
  for (let c = 0; c < 4; c++) sum += (K[c] as number) / n ** (c / 2);
  return sum;
}
