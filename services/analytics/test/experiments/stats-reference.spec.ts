import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chiSquareCdf,
  chiSquareSf,
  confidenceSequence,
  cuped,
  meanConfidenceSequence,
  mixtureRhoSquared,
  normalCdf,
  normalQuantile,
  sampleRatioMismatch,
  sampleSizePerVariant,
  studentTCdf,
  studentTQuantile,
  twoProportionTest,
  welchFromSamples,
  welchTest,
  type ConfidenceSequenceResult,
  type CupedInput,
  type CupedResult,
  type SampleSizeInput,
  type SrmInput,
  type SrmResult,
  type TwoProportionInput,
  type TwoProportionResult,
  type WelchInput,
  type WelchResult,
} from '../../src/experiments/stats';

// Made once by fixtures/experiments/make_fixtures.py (scipy, statsmodels, mpmath); see that
// script to regenerate.
interface Reference {
  scipy: number;
  exact: number;
}
type Case<I, E> = { input: I; expected: E };
interface Fixtures {
  normal_cdf: Array<{ z: number } & Reference>;
  normal_quantile: Array<{ p: number } & Reference>;
  t_cdf: Array<{ t: number; df: number } & Reference>;
  t_quantile: Array<{ p: number; df: number } & Reference>;
  chi_square: Array<{ x: number; df: number; cdf: Reference; sf: Reference }>;
  two_proportions: Case<TwoProportionInput, TwoProportionResult>[];
  welch_summaries: Case<WelchInput, WelchResult>[];
  welch_samples: Case<{ control: number[]; treatment: number[]; alpha: number }, WelchResult>[];
  sample_size: Array<Case<SampleSizeInput, { per_variant: number }> & { unrounded: number }>;
  srm: Case<SrmInput, SrmResult>[];
  cuped: Case<CupedInput, CupedResult>[];
  mixture_u: Array<{ alpha: number; u: number }>;
  conversion_sequences: Case<Parameters<typeof confidenceSequence>[0], ConfidenceSequenceResult>[];
  mean_sequences: Case<Parameters<typeof meanConfidenceSequence>[0], ConfidenceSequenceResult>[];
}

const fixtures = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/experiments/stats.json'), 'utf8'),
) as Fixtures;

/** |actual - expected| within `relative` of |expected| (or of `scale`, when larger). */
function expectNear(actual: number, expected: number, relative: number, scale = 0): void {
  const allowed = relative * Math.max(Math.abs(expected), scale);
  if (!(Math.abs(actual - expected) <= allowed)) {
    throw new Error(`expected ${expected}, got ${actual} (allowed ${allowed})`);
  }
}

/**
 * The exact value (mpmath, 40 digits) to 1e-12 and scipy's to 1e-9, relative. Quantiles
 * pass an absolute floor: at p = 0.5 scipy returns ~7e-17 where the answer is 0.
 */
function expectReference(actual: number, reference: Reference, scipyTolerance = 1e-9, floor = 0) {
  expectNear(actual, reference.exact, 1e-12, Math.max(floor, 1e-300));
  expectNear(actual, reference.scipy, scipyTolerance, Math.max(floor, 1e-300));
}

describe('distributions against mpmath and scipy', () => {
  it.each(fixtures.normal_cdf)('Φ($z)', ({ z, ...reference }) => {
    expectReference(normalCdf(z), reference);
  });

  it.each(fixtures.normal_quantile)('Φ⁻¹($p)', ({ p, ...reference }) => {
    expectReference(normalQuantile(p), reference, 1e-9, 1e-6);
  });

  it.each(fixtures.t_cdf)('t cdf at $t, df $df', ({ t, df, ...reference }) => {
    expectReference(studentTCdf(t, df), reference);
  });

  // scipy's t.ppf is accurate to only ~2e-9 (it is off at p = 1e-6, df = 3 and for
  // non-integer df), so mpmath is the reference that decides here.
  it.each(fixtures.t_quantile)('t quantile at $p, df $df', ({ p, df, ...reference }) => {
    expectReference(studentTQuantile(p, df), reference, 1e-8, 1e-6);
  });

  it.each(fixtures.chi_square)('chi-square at $x, df $df', ({ x, df, cdf, sf }) => {
    expectReference(chiSquareCdf(x, df), cdf);
    expectReference(chiSquareSf(x, df), sf);
  });
});

// The statistics are compared to 1e-9 of each value; interval ends to 1e-9 of the interval's
// width, since an end near 0 has no scale of its own.
function expectWelch(actual: WelchResult, expected: WelchResult, intervalTolerance = 1e-9) {
  expectNear(actual.difference, expected.difference, 1e-9, 1e-12);
  if (expected.lift === null) expect(actual.lift).toBeNull();
  else expectNear(actual.lift as number, expected.lift, 1e-9, 1e-12);
  expectNear(actual.t, expected.t, 1e-9, 1e-12);
  expectNear(actual.df, expected.df, 1e-9);
  expectNear(actual.p_value, expected.p_value, 1e-9, 1e-300);
  const width = expected.ci_high - expected.ci_low;
  expectNear(actual.ci_low, expected.ci_low, intervalTolerance, width);
  expectNear(actual.ci_high, expected.ci_high, intervalTolerance, width);
}

describe('tests against statsmodels and scipy', () => {
  it.each(fixtures.two_proportions)(
    'two proportions: $input.control.conversions/$input.control.n vs $input.treatment.conversions/$input.treatment.n',
    ({ input, expected }) => {
      const actual = twoProportionTest(input);
      const width = expected.ci_high - expected.ci_low;
      for (const key of ['control_rate', 'treatment_rate', 'difference', 'z'] as const) {
        expectNear(actual[key], expected[key], 1e-9, 1e-12);
      }
      expectNear(actual.lift as number, expected.lift as number, 1e-9, 1e-12);
      expectNear(actual.p_value, expected.p_value, 1e-9, 1e-300);
      expectNear(actual.ci_low, expected.ci_low, 1e-9, width);
      expectNear(actual.ci_high, expected.ci_high, 1e-9, width);
    },
  );

  // The interval ends come from scipy's t.ppf (statsmodels uses it too), good to ~2e-9.
  it.each(fixtures.welch_summaries)(
    'Welch from summaries: n $input.control.n vs $input.treatment.n',
    ({ input, expected }) => expectWelch(welchTest(input), expected, 1e-8),
  );

  it.each(fixtures.welch_samples)(
    'Welch from samples: $input.control.length vs $input.treatment.length units',
    ({ input, expected }) =>
      expectWelch(welchFromSamples(input.control, input.treatment, input.alpha), expected, 1e-8),
  );

  it.each(fixtures.sample_size)(
    'sample size: baseline $input.baseline_rate, mde $input.mde (n = $unrounded)',
    ({ input, expected }) => {
      expect(sampleSizePerVariant(input)).toEqual(expected);
    },
  );

  it.each(fixtures.srm)('SRM: $input.observed', ({ input, expected }) => {
    const actual = sampleRatioMismatch(input);
    expectNear(actual.chi_square, expected.chi_square, 1e-9, 1e-12);
    expect(actual.df).toBe(expected.df);
    expectNear(actual.p_value, expected.p_value, 1e-9, 1e-300);
    expect(actual.mismatch).toBe(expected.mismatch);
  });

  it.each(fixtures.cuped)(
    'CUPED: $input.control.y.length vs $input.treatment.y.length units',
    ({ input, expected }) => {
      const actual = cuped(input);
      expectNear(actual.theta, expected.theta, 1e-9);
      expectNear(actual.variance_reduction, expected.variance_reduction, 1e-9);
      for (const arm of ['control', 'treatment'] as const) {
        expect(actual[arm].n).toBe(expected[arm].n);
        expectNear(actual[arm].mean, expected[arm].mean, 1e-9);
        expectNear(actual[arm].sd, expected[arm].sd, 1e-9);
      }
      expectWelch(actual.test, expected.test, 1e-8);
    },
  );
});

describe('confidence sequences against the published formula', () => {
  it.each(fixtures.mixture_u)('ρ² tuned for N is u/N with u from Lambert W: α $alpha', (c) => {
    expectNear(mixtureRhoSquared(c.alpha, 1000) * 1000, c.u, 1e-12);
  });

  const expectSequence = (actual: ConfidenceSequenceResult, expected: ConfidenceSequenceResult) => {
    const width = expected.ci_high - expected.ci_low;
    expectNear(actual.difference, expected.difference, 1e-12, 1e-12);
    expectNear(actual.ci_low, expected.ci_low, 1e-12, width);
    expectNear(actual.ci_high, expected.ci_high, 1e-12, width);
    expect(actual.significant).toBe(expected.significant);
  };

  it.each(fixtures.conversion_sequences)('conversions: tuned for $input.tuning_n', (c) =>
    expectSequence(confidenceSequence(c.input), c.expected),
  );

  it.each(fixtures.mean_sequences)('means: tuned for $input.tuning_n', (c) =>
    expectSequence(meanConfidenceSequence(c.input), c.expected),
  );
});
