import {
  boundaryMultiplier,
  confidenceSequence,
  mixtureRhoSquared,
  normalQuantile,
  twoProportionTest,
  type ConversionCounts,
} from '../../src/experiments/stats';
import { Random } from './support/random';

describe('the mixture boundary', () => {
  it('is sqrt(1 + u) standard errors at the tuned sample size, and narrowest there', () => {
    for (const alpha of [0.01, 0.05, 0.1]) {
      const u = mixtureRhoSquared(alpha, 1);
      expect(boundaryMultiplier(20_000, alpha, 20_000)).toBeCloseTo(Math.sqrt(1 + u), 12);
      for (const tuning of [2_000, 10_000, 19_000, 21_000, 40_000, 200_000]) {
        expect(boundaryMultiplier(20_000, alpha, tuning)).toBeGreaterThan(
          boundaryMultiplier(20_000, alpha, 20_000),
        );
      }
    }
    // At α = 0.05, u = 8.211968 (Lambert W, see the fixtures): 3.035 standard errors where a
    // fixed-horizon interval uses 1.96.
    expect(boundaryMultiplier(5_000, 0.05, 5_000)).toBeCloseTo(
      Math.sqrt(1 + 8.211968062068253),
      12,
    );
  });

  it('costs about 7% width when tuned 10x too short and 26% when tuned 10x too long', () => {
    const best = boundaryMultiplier(10_000, 0.05, 10_000);
    expect(boundaryMultiplier(10_000, 0.05, 1_000) / best).toBeCloseTo(1.07, 2);
    expect(boundaryMultiplier(10_000, 0.05, 100_000) / best).toBeCloseTo(1.26, 2);
  });

  it('is always wider than the fixed-horizon interval at the same level', () => {
    const fixed = normalQuantile(0.975);
    for (const n of [10, 100, 1_000, 10_000, 100_000, 1e6, 1e8]) {
      expect(boundaryMultiplier(n, 0.05, 10_000)).toBeGreaterThan(fixed);
    }
  });
});

// A test looked at every day for a month: 200 more units per arm each day, 30 looks, 200
// experiments. The sequence is tuned for the planned total, 30 * 2 * 200 = 12,000 units.
const EXPERIMENTS = 200;
const LOOKS = 30;
const DAILY_PER_ARM = 200;
const PLANNED_UNITS = LOOKS * 2 * DAILY_PER_ARM;

interface Run {
  /** Some look's confidence sequence excluded 0. */
  sequentialWinner: boolean;
  /** Some look's fixed-horizon z-test had p < 0.05. */
  naiveWinner: boolean;
  /** Every look's confidence sequence contained the true difference. */
  alwaysCovered: boolean;
}

function monitor(random: Random, controlRate: number, treatmentRate: number): Run {
  const control: ConversionCounts = { n: 0, conversions: 0 };
  const treatment: ConversionCounts = { n: 0, conversions: 0 };
  const run: Run = { sequentialWinner: false, naiveWinner: false, alwaysCovered: true };
  for (let day = 0; day < LOOKS; day++) {
    control.n += DAILY_PER_ARM;
    control.conversions += random.binomial(DAILY_PER_ARM, controlRate);
    treatment.n += DAILY_PER_ARM;
    treatment.conversions += random.binomial(DAILY_PER_ARM, treatmentRate);
    const sequence = confidenceSequence({ control, treatment, tuning_n: PLANNED_UNITS });
    const truth = treatmentRate - controlRate;
    run.sequentialWinner ||= sequence.significant;
    run.alwaysCovered &&= sequence.ci_low <= truth && truth <= sequence.ci_high;
    run.naiveWinner ||= twoProportionTest({ control, treatment }).p_value < 0.05;
  }
  return run;
}

describe('monitoring daily', () => {
  it('A/A: the sequence declares a winner in at most 5% of experiments; peeking at z does not', () => {
    const random = new Random(20240611);
    const runs = Array.from({ length: EXPERIMENTS }, () => monitor(random, 0.1, 0.1));
    const sequential = runs.filter((r) => r.sequentialWinner).length;
    const naive = runs.filter((r) => r.naiveWinner).length;
    // With this seed: 0 of 200 for the sequence, 52 of 200 for the repeated z-test (seeds 1-5:
    // 0-2 and 47-51).
    expect(sequential).toBeLessThanOrEqual(0.05 * EXPERIMENTS);
    expect(naive).toBeGreaterThan(0.1 * EXPERIMENTS);
    expect(naive).toBeGreaterThan(sequential);
  });

  it('A/B: the sequence covers the true lift at all 30 looks at once in at least 95% of runs', () => {
    const random = new Random(7);
    const runs = Array.from({ length: EXPERIMENTS }, () => monitor(random, 0.1, 0.115));
    const covered = runs.filter((r) => r.alwaysCovered).length;
    const detected = runs.filter((r) => r.sequentialWinner).length;
    // With this seed: covered in 196 of 200, the lift detected in 88 of 200.
    expect(covered).toBeGreaterThanOrEqual(0.95 * EXPERIMENTS);
    expect(detected).toBeGreaterThan(0.25 * EXPERIMENTS);
  });
});
