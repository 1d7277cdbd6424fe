import { normalCdf, normalQuantile } from './distributions';
import { requireCount, requireOpenUnit, requirePositiveInteger } from './validation';

export interface ConversionCounts {
  n: number;
  conversions: number;
}

export interface TwoProportionInput {
  control: ConversionCounts;
  treatment: ConversionCounts;
  /** Two-sided significance level; the interval has coverage 1 - alpha. */
  alpha?: number;
}

export interface TwoProportionResult {
  control_rate: number;
  treatment_rate: number;
  /** treatment_rate - control_rate */
  difference: number;
  /** treatment_rate / control_rate - 1; null when the control rate is 0. */
  lift: number | null;
  z: number;
  p_value: number;
  ci_low: number;
  ci_high: number;
}

/**
 * Two-sided z-test for a difference in conversion rates.
 *
 * The test uses the pooled rate p̄ = (x_c + x_t) / (n_c + n_t), as the null says both arms
 * share it: z = (p_t - p_c) / sqrt(p̄(1 - p̄)(1/n_c + 1/n_t)), p = 2Φ(-|z|) (statsmodels
 * `proportions_ztest`). The interval is the unpooled Wald interval of the difference,
 * (p_t - p_c) ± z_{1-α/2} sqrt(p_t(1 - p_t)/n_t + p_c(1 - p_c)/n_c), because away from the
 * null the arms' variances differ (statsmodels `confint_proportions_2indep`, method 'wald').
 */
export function twoProportionTest(input: TwoProportionInput): TwoProportionResult {
  const alpha = input.alpha ?? 0.05;
  requireOpenUnit(alpha, 'alpha');
  requireConversions(input.control, 'control');
  requireConversions(input.treatment, 'treatment');
  const { control, treatment } = input;

  const controlRate = control.conversions / control.n;
  const treatmentRate = treatment.conversions / treatment.n;
  const difference = treatmentRate - controlRate;

  const pooled = (control.conversions + treatment.conversions) / (control.n + treatment.n);
  const nullSe = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  // Both arms all-or-nothing alike: the rates are equal and there is nothing to test.
  const z = nullSe > 0 ? difference / nullSe : 0;

  const halfWidth = normalQuantile(1 - alpha / 2) * unpooledSe(control, treatment);
  return {
    control_rate: controlRate,
    treatment_rate: treatmentRate,
    difference,
    lift: controlRate > 0 ? treatmentRate / controlRate - 1 : null,
    z,
    p_value: 2 * normalCdf(-Math.abs(z)),
    ci_low: difference - halfWidth,
    ci_high: difference + halfWidth,
  };
}

/** Standard error of p_t - p_c without pooling. */
export function unpooledSe(control: ConversionCounts, treatment: ConversionCounts): number {
  const pc = control.conversions / control.n;
  const pt = treatment.conversions / treatment.n;
  return Math.sqrt((pc * (1 - pc)) / control.n + (pt * (1 - pt)) / treatment.n);
}

export function requireConversions(counts: ConversionCounts, field: string): void {
  requirePositiveInteger(counts.n, `${field}.n`);
  requireCount(counts.conversions, `${field}.conversions`);
  if (counts.conversions > counts.n) {
    throw new RangeError(
      `${field}.conversions (${counts.conversions}) must not exceed ${field}.n (${counts.n})`,
    );
  }
}
