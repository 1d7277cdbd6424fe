import { normalQuantile } from './distributions';
import { requireOpenUnit, requirePositive } from './validation';

export interface SampleSizeInput {
  /** Control conversion rate p1, in (0, 1). */
  baseline_rate: number;
  /** Smallest absolute difference worth detecting (p2 = p1 + mde), > 0. */
  mde: number;
  alpha?: number;
  power?: number;
}

/**
 * Units per variant for a two-sided test of two proportions, by the classic normal
 * approximation with the variance pooled under the null and no continuity correction
 * (Fleiss, Levin & Paik, "Statistical Methods for Rates and Proportions", 3rd ed., ch. 4):
 *
 *     n = ( z_{1-α/2} · sqrt(2 p̄ (1 - p̄)) + z_{power} · sqrt(p1 (1 - p1) + p2 (1 - p2)) )²
 *         / mde²
 *
 * with p1 = baseline_rate, p2 = baseline_rate + mde, p̄ = (p1 + p2) / 2, rounded up.
 * statsmodels' NormalIndPower uses Cohen's arcsine effect size instead and gives a
 * slightly different n.
 */
export function sampleSizePerVariant(input: SampleSizeInput): { per_variant: number } {
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  requireOpenUnit(input.baseline_rate, 'baseline_rate');
  requirePositive(input.mde, 'mde');
  requireOpenUnit(alpha, 'alpha');
  requireOpenUnit(power, 'power');
  const p1 = input.baseline_rate;
  const p2 = p1 + input.mde;
  if (p2 >= 1) {
    throw new RangeError(`baseline_rate + mde must be below 1, got ${p2}`);
  }
  const mean = (p1 + p2) / 2;
  const nullTerm = normalQuantile(1 - alpha / 2) * Math.sqrt(2 * mean * (1 - mean));
  const alternativeTerm = normalQuantile(power) * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return { per_variant: Math.ceil((nullTerm + alternativeTerm) ** 2 / input.mde ** 2) };
}
