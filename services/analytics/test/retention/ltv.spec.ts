import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  projectLtv,
  type CohortRevenue,
  type LtvOptions,
  type LtvProjection,
} from '../../src/retention/ltv';

// Made once by fixtures/retention/ltv_fixture.py (numpy.polyfit on log ARPU with weights);
// see that script to regenerate.
interface Fixture {
  cohorts: CohortRevenue[];
  cases: { options: Required<LtvOptions>; expected: LtvProjection }[];
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/retention/ltv.json'), 'utf8'),
) as Fixture;

/** Within `tolerance` of the expected value, relative once it is above 1. */
function expectNear(actual: number | null, expected: number | null, tolerance = 1e-9): void {
  if (expected === null) return expect(actual).toBeNull();
  const allowed = tolerance * Math.max(1, Math.abs(expected));
  if (!(actual !== null && Math.abs(actual - expected) <= allowed)) {
    throw new Error(`expected ${expected}, got ${actual} (allowed ${allowed})`);
  }
}

describe('ltv, revenue exactly a · r^k', () => {
  // Six monthly cohorts observed through 2024-06 and one with no month yet; every cohort
  // spends 20 per user in its first month and 8 · 0.75^k per user at age k after that.
  const sizes = [120, 340, 75, 910, 260, 48, 500];
  const cohorts: CohortRevenue[] = sizes.map((users, i) => ({
    cohort: `2024-0${i + 1}`,
    users,
    revenue_by_month: Array.from({ length: 6 - i }, (_, k) =>
      k === 0 ? 20 * users : users * 8 * 0.75 ** k,
    ),
  }));
  const result = projectLtv(cohorts);
  // 20 + Σ_{k=1}^{11} 8 · 0.75^k, whichever months a cohort has observed.
  const ltv = 20 + (8 * 0.75 * (1 - 0.75 ** 11)) / (1 - 0.75);

  it('recovers a and r to 1e-9 and projects every cohort to the same value', () => {
    expectNear(result.curve.a, 8);
    expectNear(result.curve.r, 0.75);
    expect(result.curve.arpu_by_age).toHaveLength(12);
    expectNear(result.curve.arpu_by_age[0], 20);
    expectNear(result.curve.arpu_by_age[3], 8 * 0.75 ** 3);
    for (const c of result.cohorts) expectNear(c.projected_ltv_per_user, ltv);
    expect(result.cohorts.map((c) => c.observed_months)).toEqual([6, 5, 4, 3, 2, 1, 0]);
    expectNear(result.cohorts[4].observed_revenue_per_user, 20 + 8 * 0.75);
  });

  it('projects the two hidden calendar months without error', () => {
    expect(result.holdout.months).toBe(2);
    expectNear(result.holdout.mape, 0, 1e-12);
    expectNear(result.holdout.weighted_abs_error, 0, 1e-12);
  });
});

describe('ltv, worked by hand', () => {
  // Pooled ARPU: age 0 (1000 + 3000) / 400 = 10, age 1 (500 + 900) / 400 = 3.5, age 2
  // 250 / 100 = 2.5. Two ages fit exactly: r = 2.5 / 3.5 = 5/7, a = 3.5 / r = 4.9, and
  // ARPU(3) = 4.9 · (5/7)³ = 12.5/7.
  const cohorts: CohortRevenue[] = [
    { cohort: '2024-01', users: 100, revenue_by_month: [1000, 500, 250] },
    { cohort: '2024-02', users: 300, revenue_by_month: [3000, 900] },
  ];

  it('pools cohorts by users and adds the curve for the months not yet lived', () => {
    const result = projectLtv(cohorts, { horizon_months: 4, holdout_months: 0 });
    expectNear(result.curve.r, 5 / 7, 1e-12);
    expectNear(result.curve.a, 4.9, 1e-12);
    expect(result.curve.arpu_by_age).toHaveLength(4);
    expectNear(result.curve.arpu_by_age[0], 10, 1e-12);
    const [first, second] = result.cohorts;
    expectNear(first.observed_revenue_per_user, 17.5, 1e-12);
    expectNear(first.projected_ltv_per_user, 17.5 + 12.5 / 7, 1e-12);
    expectNear(second.observed_revenue_per_user, 13, 1e-12);
    expectNear(second.projected_ltv_per_user, 13 + 2.5 + 12.5 / 7, 1e-12);
    expect(result.holdout).toEqual({ months: 0, mape: null, weighted_abs_error: null });
  });

  it('counts only months below the horizon in the lifetime value', () => {
    const result = projectLtv(cohorts, { horizon_months: 2, holdout_months: 0 });
    expectNear(result.cohorts[0].projected_ltv_per_user, 15, 1e-12);
    expectNear(result.cohorts[0].observed_revenue_per_user, 17.5, 1e-12);
  });

  it('reports no holdout error when too little is left to refit', () => {
    // Hiding 2024-03 leaves one age past 0: no decay to fit.
    const result = projectLtv(cohorts, { holdout_months: 1 });
    expect(result.holdout).toEqual({ months: 1, mape: null, weighted_abs_error: null });
  });
});

describe('ltv against numpy', () => {
  it.each(fixture.cases)('$options', ({ options, expected }) => {
    const actual = projectLtv(fixture.cohorts, options);
    expectNear(actual.curve.a, expected.curve.a);
    expectNear(actual.curve.r, expected.curve.r);
    expect(actual.curve.arpu_by_age).toHaveLength(expected.curve.arpu_by_age.length);
    actual.curve.arpu_by_age.forEach((v, k) => expectNear(v, expected.curve.arpu_by_age[k]));
    expect(actual.cohorts).toHaveLength(expected.cohorts.length);
    actual.cohorts.forEach((c, i) => {
      const e = expected.cohorts[i];
      expect([c.cohort, c.users, c.observed_months]).toEqual([
        e.cohort,
        e.users,
        e.observed_months,
      ]);
      expectNear(c.observed_revenue_per_user, e.observed_revenue_per_user);
      expectNear(c.projected_ltv_per_user, e.projected_ltv_per_user);
    });
    expect(actual.holdout.months).toBe(expected.holdout.months);
    expectNear(actual.holdout.mape, expected.holdout.mape);
    expectNear(actual.holdout.weighted_abs_error, expected.holdout.weighted_abs_error);
  });
});

describe('ltv input', () => {
  const good: CohortRevenue = { cohort: '2024-01', users: 10, revenue_by_month: [100, 50, 25] };

  it.each<{ name: string; cohorts: CohortRevenue[]; options?: LtvOptions }>([
    { name: 'no cohorts', cohorts: [] },
    { name: 'a cohort that is not YYYY-MM', cohorts: [{ ...good, cohort: '2024-13' }] },
    { name: 'a cohort twice', cohorts: [good, good] },
    { name: 'no users', cohorts: [{ ...good, users: 0 }] },
    { name: 'a fraction of a user', cohorts: [{ ...good, users: 2.5 }] },
    {
      name: 'revenue that is not a number',
      cohorts: [{ ...good, revenue_by_month: [100, Number.NaN, 25] }],
    },
    { name: 'a horizon of 0 months', cohorts: [good], options: { horizon_months: 0 } },
    { name: 'a negative holdout', cohorts: [good], options: { holdout_months: -1 } },
    { name: 'too few ages to fit', cohorts: [{ ...good, revenue_by_month: [100, 50] }] },
    {
      name: 'no revenue after the first month',
      cohorts: [{ ...good, revenue_by_month: [100, 0, 0] }],
    },
  ])('refuses $name', ({ cohorts, options }) => {
    expect(() => projectLtv(cohorts, options)).toThrow(RangeError);
  });
});
