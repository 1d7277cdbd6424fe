import { arpuAt, fitArpuCurve, type CohortRevenue } from './arpu-curve';

export type { CohortRevenue } from './arpu-curve';

export interface LtvOptions {
  /** Months of revenue in the lifetime value, ages 0 to horizon_months - 1 (default 12). */
  horizon_months?: number;
  /** Latest calendar months hidden to measure the projection's error (default 2; 0: none). */
  holdout_months?: number;
}

export interface CohortLtv {
  cohort: string;
  users: number;
  observed_months: number;
  /** Every observed month's revenue over the users, beyond the horizon too. */
  observed_revenue_per_user: number;
  /** Observed revenue per user in ages below the horizon, plus the curve for the rest. */
  projected_ltv_per_user: number;
}

export interface LtvProjection {
  /** arpu_by_age[k], k < horizon_months: the pooled observed ARPU at 0, a · r^k beyond. */
  curve: { a: number; r: number; arpu_by_age: number[] };
  cohorts: CohortLtv[];
  /**
   * The refit without the last `months` calendar months, on the revenue it hid: MAPE over the
   * cohort-months with revenue, and Σ|projected - actual| / Σ|actual|. Null when nothing was
   * hidden or too little was left to fit.
   */
  holdout: { months: number; mape: number | null; weighted_abs_error: number | null };
}

/**
 * Lifetime value per user by cohort from a decaying ARPU curve (fitArpuCurve): a cohort's
 * own revenue for the months it has, the pooled curve for the months it has not yet lived.
 */
export function projectLtv(
  cohorts: readonly CohortRevenue[],
  options: LtvOptions = {},
): LtvProjection {
  const { horizon_months = 12, holdout_months = 2 } = options;
  if (!Number.isInteger(horizon_months) || horizon_months < 1) {
    throw new RangeError(`horizon_months must be a positive integer, got ${horizon_months}`);
  }
  if (!Number.isInteger(holdout_months) || holdout_months < 0) {
    throw new RangeError(`holdout_months must be a non-negative integer, got ${holdout_months}`);
  }
  requireCohorts(cohorts);
  const curve = fitArpuCurve(cohorts);
  if (!curve) {
    throw new RangeError(
      'the cohorts need revenue at age 0 and positive ARPU at two or more later ages',
    );
  }
  return {
    curve: {
      a: curve.a,
      r: curve.r,
      arpu_by_age: Array.from({ length: horizon_months }, (_, k) => arpuAt(curve, k)),
    },
    cohorts: cohorts.map((c) => {
      const observed = c.revenue_by_month;
      let ltv = 0;
      for (let k = 0; k < horizon_months; k++) {
        ltv += k < observed.length ? observed[k] / c.users : arpuAt(curve, k);
      }
      return {
        cohort: c.cohort,
        users: c.users,
        observed_months: observed.length,
        observed_revenue_per_user: sum(observed) / c.users,
        projected_ltv_per_user: ltv,
      };
    }),
    holdout: { months: holdout_months, ...holdoutError(cohorts, holdout_months) },
  };
}

/**
 * Hides every month from the last `months` calendar months of the data (the same months for
 * every cohort), refits, and compares users · ARPU(k) of the refit with the hidden revenue.
 */
function holdoutError(cohorts: readonly CohortRevenue[], months: number) {
  const none = { mape: null, weighted_abs_error: null };
  if (months === 0) return none;
  const last = Math.max(
    ...cohorts.map((c) => monthIndex(c.cohort) + c.revenue_by_month.length - 1),
  );
  // Months a cohort keeps: those up to the last visible calendar month.
  const kept = (c: CohortRevenue) =>
    Math.min(c.revenue_by_month.length, Math.max(0, last - months - monthIndex(c.cohort) + 1));
  const refit = fitArpuCurve(
    cohorts.map((c) => ({ ...c, revenue_by_month: c.revenue_by_month.slice(0, kept(c)) })),
  );
  if (!refit) return none;

  let percentSum = 0;
  let percentCount = 0;
  let absError = 0;
  let absActual = 0;
  for (const c of cohorts) {
    for (let k = kept(c); k < c.revenue_by_month.length; k++) {
      const actual = c.revenue_by_month[k];
      const error = Math.abs(c.users * arpuAt(refit, k) - actual);
      absError += error;
      absActual += Math.abs(actual);
      // A month without revenue has no percentage error; it still counts in the weighted one.
      if (actual !== 0) {
        percentSum += error / Math.abs(actual);
        percentCount++;
      }
    }
  }
  return {
    mape: percentCount ? percentSum / percentCount : null,
    weighted_abs_error: absActual > 0 ? absError / absActual : null,
  };
}

/** Months since year 0 for a YYYY-MM cohort. */
function monthIndex(cohort: string): number {
  return Number(cohort.slice(0, 4)) * 12 + Number(cohort.slice(5, 7)) - 1;
}

function requireCohorts(cohorts: readonly CohortRevenue[]): void {
  if (!Array.isArray(cohorts) || cohorts.length === 0) throw new RangeError('no cohorts');
  const seen = new Set<string>();
  for (const c of cohorts) {
    if (typeof c.cohort !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(c.cohort)) {
      throw new RangeError(`cohort must be a YYYY-MM month, got ${c.cohort}`);
    }
    if (seen.has(c.cohort)) throw new RangeError(`cohort ${c.cohort} appears twice`);
    seen.add(c.cohort);
    if (!Number.isInteger(c.users) || c.users < 1) {
      throw new RangeError(`cohort ${c.cohort}: users must be a positive integer, got ${c.users}`);
    }
    const revenue: unknown = c.revenue_by_month;
    if (!Array.isArray(revenue)) {
      throw new RangeError(`cohort ${c.cohort}: revenue_by_month must be an array`);
    }
    revenue.forEach((value: unknown, k) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new RangeError(`cohort ${c.cohort}: revenue_by_month[${k}] is not a finite number`);
      }
    });
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
