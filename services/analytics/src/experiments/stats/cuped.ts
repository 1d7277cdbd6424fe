import { summarize, welchTest, type MeanSummary, type WelchResult } from './means';
import { requireFinite, requireOpenUnit } from './validation';

/** One arm's units: metric y[i] and the same unit's pre-experiment covariate x[i]. */
export interface CupedArm {
  y: readonly number[];
  x: readonly number[];
}

export interface CupedInput {
  control: CupedArm;
  treatment: CupedArm;
  alpha?: number;
}

export interface CupedResult {
  /** cov(x, y) / var(x) over both arms together. */
  theta: number;
  /** n, mean and sd of the adjusted metric y' per arm. */
  control: MeanSummary;
  treatment: MeanSummary;
  /** 1 - var(y') / var(y) over both arms together; the squared correlation of x and y. */
  variance_reduction: number;
  /** Welch's test on the adjusted values. */
  test: WelchResult;
}

/**
 * CUPED (Deng, Xu, Kohavi & Walker 2013, "Improving the Sensitivity of Online Controlled
 * Experiments by Utilizing Pre-Experiment Data", WSDM):
 *
 *     θ = cov(x, y) / var(x),   y'_i = y_i - θ (x_i - x̄),
 *
 * with θ and x̄ taken over both arms pooled. Randomization makes x independent of the arm,
 * so E[x̄_t - x̄_c] = 0 and the difference in adjusted means stays unbiased while its
 * variance shrinks by the factor 1 - ρ²(x, y).
 */
export function cuped(input: CupedInput): CupedResult {
  const alpha = input.alpha ?? 0.05;
  requireOpenUnit(alpha, 'alpha');
  requireArm(input.control, 'control');
  requireArm(input.treatment, 'treatment');
  const x = [...input.control.x, ...input.treatment.x];
  const y = [...input.control.y, ...input.treatment.y];

  const xMean = mean(x);
  const yMean = mean(y);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - xMean;
    const dy = y[i] - yMean;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) throw new RangeError('x is constant across all units: nothing to adjust by');
  const theta = sxy / sxx;
  const adjust = (arm: CupedArm) => arm.y.map((value, i) => value - theta * (arm.x[i] - xMean));
  const control = summarize(adjust(input.control), 'control.y');
  const treatment = summarize(adjust(input.treatment), 'treatment.y');
  // Residual sum of squares of y on x is syy - θ sxy, so the ratio is exactly 1 - r².
  const variance_reduction = syy > 0 ? (theta * sxy) / syy : 0;
  return {
    theta,
    control,
    treatment,
    variance_reduction,
    test: welchTest({ control, treatment, alpha }),
  };
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

function requireArm(arm: CupedArm, field: string): void {
  if (arm.y.length !== arm.x.length) {
    throw new RangeError(
      `${field}.y has ${arm.y.length} values but ${field}.x has ${arm.x.length}`,
    );
  }
  if (arm.y.length < 2)
    throw new RangeError(`${field} needs at least 2 units, got ${arm.y.length}`);
  arm.y.forEach((v, i) => requireFinite(v, `${field}.y[${i}]`));
  arm.x.forEach((v, i) => requireFinite(v, `${field}.x[${i}]`));
}
