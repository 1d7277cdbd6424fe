import { studentTCdf, studentTQuantile } from './distributions';
import { requireFinite, requireNonNegative, requireOpenUnit } from './validation';

/** An arm's summary: unit count, sample mean and sample standard deviation (n - 1). */
export interface MeanSummary {
  n: number;
  mean: number;
  sd: number;
}

export interface WelchInput {
  control: MeanSummary;
  treatment: MeanSummary;
  alpha?: number;
}

export interface WelchResult {
  /** treatment.mean - control.mean */
  difference: number;
  /** treatment.mean / control.mean - 1; null when the control mean is 0. */
  lift: number | null;
  t: number;
  df: number;
  p_value: number;
  ci_low: number;
  ci_high: number;
}

/**
 * Welch's unequal-variance t-test of treatment.mean - control.mean.
 *
 * With v_i = s_i² / n_i: t = (m_t - m_c) / sqrt(v_t + v_c), Welch–Satterthwaite
 * df = (v_t + v_c)² / (v_t² / (n_t - 1) + v_c² / (n_c - 1)), p = 2 F_df(-|t|), and the
 * interval (m_t - m_c) ± t_{1-α/2, df} sqrt(v_t + v_c) (scipy `ttest_ind(equal_var=False)`).
 */
export function welchTest(input: WelchInput): WelchResult {
  const alpha = input.alpha ?? 0.05;
  requireOpenUnit(alpha, 'alpha');
  requireSummary(input.control, 'control');
  requireSummary(input.treatment, 'treatment');
  const { control, treatment } = input;

  const vc = (control.sd * control.sd) / control.n;
  const vt = (treatment.sd * treatment.sd) / treatment.n;
  const se = Math.sqrt(vc + vt);
  if (!(se > 0)) {
    throw new RangeError('control.sd and treatment.sd are both 0: there is no variance to test');
  }
  const difference = treatment.mean - control.mean;
  const t = difference / se;
  const df = (vc + vt) ** 2 / ((vc * vc) / (control.n - 1) + (vt * vt) / (treatment.n - 1));
  const halfWidth = studentTQuantile(1 - alpha / 2, df) * se;
  return {
    difference,
    lift: control.mean !== 0 ? treatment.mean / control.mean - 1 : null,
    t,
    df,
    p_value: 2 * studentTCdf(-Math.abs(t), df),
    ci_low: difference - halfWidth,
    ci_high: difference + halfWidth,
  };
}

/** Welch's test on raw per-unit values of each arm. */
export function welchFromSamples(
  control: readonly number[],
  treatment: readonly number[],
  alpha = 0.05,
): WelchResult {
  return welchTest({
    control: summarize(control, 'control'),
    treatment: summarize(treatment, 'treatment'),
    alpha,
  });
}

/** n, mean and sample standard deviation, in two passes so large offsets do not cancel. */
export function summarize(values: readonly number[], field: string): MeanSummary {
  if (values.length < 2) {
    throw new RangeError(`${field} needs at least 2 values, got ${values.length}`);
  }
  let sum = 0;
  for (const [i, v] of values.entries()) {
    requireFinite(v, `${field}[${i}]`);
    sum += v;
  }
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { n: values.length, mean, sd: Math.sqrt(squares / (values.length - 1)) };
}

export function requireSummary(summary: MeanSummary, field: string): void {
  if (!Number.isInteger(summary.n) || summary.n < 2) {
    throw new RangeError(`${field}.n must be an integer of at least 2, got ${summary.n}`);
  }
  requireFinite(summary.mean, `${field}.mean`);
  requireNonNegative(summary.sd, `${field}.sd`);
}
