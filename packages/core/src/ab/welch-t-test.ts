import { logGamma, studentTSf } from './special-functions.js';

/** Result of {@link welchTTest}: the variant's sample (`a`) against the baseline's (`b`). */
export interface WelchTResult {
  /** t = (mean a - mean b) / sqrt(var a / n a + var b / n b). */
  readonly statistic: number;
  /** Welch-Satterthwaite degrees of freedom. */
  readonly df: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /** mean a - mean b. */
  readonly difference: number;
  /** Cohen's d with the pooled standard deviation (a - b). */
  readonly cohensD: number;
  /** Hedges' g: d with the exact small-sample correction J(n a + n b - 2). */
  readonly hedgesG: number;
}

/** Mean and unbiased variance (two passes: no cancellation for large, close values). */
export function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  const mean = sum / n;
  let squares = 0;
  let residual = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    squares += d * d;
    residual += d;
  }
  // The corrected two-pass formula (Chan, Golub and LeVeque).
  return { mean, variance: n > 1 ? (squares - (residual * residual) / n) / (n - 1) : Number.NaN };
}

/** Hedges' exact correction J(df) = Γ(df/2) / (sqrt(df/2) Γ((df-1)/2)). */
export function hedgesCorrection(df: number): number {
  if (!(df > 1)) return Number.NaN;
  return Math.exp(logGamma(df / 2) - logGamma((df - 1) / 2)) / Math.sqrt(df / 2);
}

/**
 * Welch's unequal-variances t-test of two samples (each of at least 2 values), two-sided, as
 * `scipy.stats.ttest_ind(a, b, equal_var=False)`; the p-value from Student's t distribution with
 * the Welch-Satterthwaite degrees of freedom (through the regularized incomplete beta function).
 * Both samples constant: p is 1 for equal means (no evidence of a difference), 0 for different ones.
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): WelchTResult {
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2) throw new RangeError('welchTTest needs at least 2 values in each sample');
  const x = meanAndVariance(a);
  const y = meanAndVariance(b);
  const difference = x.mean - y.mean;
  const va = x.variance / na;
  const vb = y.variance / nb;
  const se2 = va + vb;
  const pooledDf = na + nb - 2;
  const pooledSd = Math.sqrt(((na - 1) * x.variance + (nb - 1) * y.variance) / pooledDf);
  const cohensD = pooledSd > 0 ? difference / pooledSd : difference === 0 ? 0 : Math.sign(difference) * Infinity;
  const hedgesG = cohensD * hedgesCorrection(pooledDf);
  if (se2 === 0) {
    const statistic = difference === 0 ? 0 : Math.sign(difference) * Infinity;
    return { statistic, df: pooledDf, pValue: difference === 0 ? 1 : 0, difference, cohensD, hedgesG };
  }
  const statistic = difference / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
  const pValue = Math.min(1, 2 * studentTSf(Math.abs(statistic), df));
  return { statistic, df, pValue, difference, cohensD, hedgesG };
}
