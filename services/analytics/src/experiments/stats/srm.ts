import { chiSquareSf } from './distributions';
import { requireCount, requirePositive } from './validation';

/**
 * A split this unlikely under the planned ratios means assignment or logging is broken, and
 * the experiment's other results should not be trusted. Strict, because the check runs on
 * every experiment and every refresh.
 */
export const SRM_P_THRESHOLD = 0.001;

export interface SrmInput {
  /** Units observed per variant. */
  observed: readonly number[];
  /** Planned traffic ratios per variant (any positive scale); equal split when omitted. */
  expected_ratios?: readonly number[];
}

export interface SrmResult {
  chi_square: number;
  df: number;
  p_value: number;
  mismatch: boolean;
}

/**
 * Sample-ratio mismatch: Pearson's chi-square goodness of fit of the observed counts to
 * E_i = N r_i / Σr, χ² = Σ (O_i - E_i)² / E_i on k - 1 degrees of freedom
 * (scipy `chisquare`); mismatch when p < 0.001.
 */
export function sampleRatioMismatch(input: SrmInput): SrmResult {
  const { observed } = input;
  const ratios = input.expected_ratios ?? observed.map(() => 1);
  if (observed.length < 2) {
    throw new RangeError(`observed needs at least 2 variants, got ${observed.length}`);
  }
  if (ratios.length !== observed.length) {
    throw new RangeError(
      `expected_ratios has ${ratios.length} entries but observed has ${observed.length}`,
    );
  }
  observed.forEach((count, i) => requireCount(count, `observed[${i}]`));
  ratios.forEach((ratio, i) => requirePositive(ratio, `expected_ratios[${i}]`));
  const total = observed.reduce((sum, count) => sum + count, 0);
  if (total === 0) throw new RangeError('observed must contain at least one unit');

  const ratioSum = ratios.reduce((sum, ratio) => sum + ratio, 0);
  let chiSquare = 0;
  observed.forEach((count, i) => {
    const expected = (total * ratios[i]) / ratioSum;
    chiSquare += (count - expected) ** 2 / expected;
  });
  const df = observed.length - 1;
  const pValue = chiSquareSf(chiSquare, df);
  return { chi_square: chiSquare, df, p_value: pValue, mismatch: pValue < SRM_P_THRESHOLD };
}
