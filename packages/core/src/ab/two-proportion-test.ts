import { normalSf } from './special-functions.js';

/** Result of {@link twoProportionZTest}: the variant's proportion (`a`) against the baseline's (`b`). */
export interface TwoProportionResult {
  /** z = (p a - p b) / sqrt(p (1 - p) (1 / n a + 1 / n b)), p the pooled proportion. */
  readonly statistic: number;
  /** Two-sided p-value (equal to the chi-square test of the 2x2 table without Yates' correction). */
  readonly pValue: number;
  /** p a - p b. */
  readonly difference: number;
  /** Cohen's h = 2 asin(sqrt(p a)) - 2 asin(sqrt(p b)). */
  readonly cohensH: number;
}

/**
 * The pooled two-proportion z-test of `successesA` of `trialsA` against `successesB` of `trialsB`
 * (e.g. failed calls of all calls), two-sided. Both proportions 0 or both 1: p is 1.
 */
export function twoProportionZTest(
  successesA: number,
  trialsA: number,
  successesB: number,
  trialsB: number,
): TwoProportionResult {
  if (!(trialsA > 0 && trialsB > 0)) throw new RangeError('twoProportionZTest needs trials > 0 in each sample');
  if (!(successesA >= 0 && successesA <= trialsA && successesB >= 0 && successesB <= trialsB))
    throw new RangeError('twoProportionZTest needs 0 <= successes <= trials');
  const pa = successesA / trialsA;
  const pb = successesB / trialsB;
  const pooled = (successesA + successesB) / (trialsA + trialsB);
  const difference = pa - pb;
  const cohensH = 2 * Math.asin(Math.sqrt(pa)) - 2 * Math.asin(Math.sqrt(pb));
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / trialsA + 1 / trialsB));
  if (!(se > 0)) return { statistic: 0, pValue: 1, difference, cohensH };
  const statistic = difference / se;
  return { statistic, pValue: Math.min(1, 2 * normalSf(Math.abs(statistic))), difference, cohensH };
}
