import { meanOf } from './distribution';
import { samplerOf } from './sampler';
import { chiSquare, drawMany, type FixtureCase, fixtures, rank } from './statistics.spec-fixture';
import { streamOf } from './stream';

// Each case draws N = 200,000 values from its own fixed stream and compares them with scipy's
// exact answers (fixtures/distributions.json, made by fixtures/make-distribution-fixtures.py).
// The streams are fixed, so the outcome is the same on every run; the bounds say how unlikely
// a pass would be for a wrong sampler, and how unlikely a fail for a right one.
const N = fixtures.samples;

/** Mean within 4 standard errors: sqrt(variance / N). */
const MEAN_ERRORS = 4;
/**
 * Variance within 5 standard errors of the sample variance, sigma^2 sqrt((kurtosis + 2) / N)
 * with the excess kurtosis: its distribution is right-skewed for heavy tails (lognormal), so 5
 * rather than 4 keeps a correct sampler's fail chance below about 1e-4 there too.
 */
const VARIANCE_ERRORS = 5;

describe.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', (_, fixture: FixtureCase) => {
  let values: Float64Array;
  let sorted: Float64Array;
  beforeAll(() => {
    const sampler = samplerOf(fixture.distribution);
    const random = streamOf(2024, 'fixtures', fixture.name);
    values = drawMany(N, () => sampler(random));
    sorted = Float64Array.from(values).sort();
  });

  it("has scipy's mean in meanOf", () => {
    const error = Math.abs(meanOf(fixture.distribution) - fixture.mean);
    expect(error).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(fixture.mean)));
  });

  it('has the exact mean and variance within their standard errors', () => {
    const mean = values.reduce((sum, x) => sum + x, 0) / N;
    const variance = values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (N - 1);
    expect(Math.abs(mean - fixture.mean)).toBeLessThan(
      MEAN_ERRORS * Math.sqrt(fixture.variance / N),
    );
    const varianceError = fixture.variance * Math.sqrt((fixture.excessKurtosis + 2) / N);
    expect(Math.abs(variance - fixture.variance)).toBeLessThan(VARIANCE_ERRORS * varianceError);
  });

  // low and high are ppf(p -+ 4 sqrt(p(1-p)/N)): a p-quantile outside is a 4-sigma event.
  it.each(fixture.quantiles)('has its $p quantile in [low, high]', ({ p, low, high }) => {
    const quantile = sorted[Math.ceil(p * N) - 1];
    expect(quantile).toBeGreaterThanOrEqual(low);
    expect(quantile).toBeLessThanOrEqual(high);
  });

  if (fixture.discrete) {
    it('gives integers with chi-square below the critical value at alpha = 0.001', () => {
      expect(values.every(Number.isInteger)).toBe(true);
      const { edges, probs } = fixture.bins!;
      const observed = new Float64Array(probs.length);
      for (const x of values) observed[rank(edges, x, true)]++;
      expect(
        chiSquare(
          observed,
          probs.map((p) => p * N),
        ),
      ).toBeLessThan(fixture.chi2Critical);
    });

    it('gives the first values with their pmf within 4 standard errors', () => {
      const { first, values: pmf } = fixture.pmf!;
      pmf.forEach((p, k) => {
        const frequency = values.filter((x) => x === first + k).length / N;
        expect(Math.abs(frequency - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / N));
      });
    });
  } else {
    // The grid is ppf(j / G), j = 1..G-1: equiprobable bins for chi-square, and the points where
    // the KS statistic is evaluated (a lower bound of the full statistic, within 1 / G of it).
    it('has chi-square and KS below their critical values at alpha = 0.001', () => {
      const grid = fixture.grid!;
      const bins = grid.length + 1;
      const observed = new Float64Array(bins);
      for (const x of values) observed[rank(grid, x, false)]++;
      expect(chiSquare(observed, new Float64Array(bins).fill(N / bins))).toBeLessThan(
        fixture.chi2Critical,
      );
      let below = 0;
      let ks = 0;
      grid.forEach((_, j) => {
        below += observed[j];
        ks = Math.max(ks, Math.abs(below / N - (j + 1) / bins));
      });
      expect(ks).toBeLessThan(fixture.ksCritical!);
    });
  }
});

describe('samplerOf', () => {
  const random = streamOf(1, 'edges');

  it('gives a constant its value and keeps uniform in [min, max)', () => {
    expect(samplerOf({ kind: 'constant', value: 4.5 })(random)).toBe(4.5);
    const tight = samplerOf({ kind: 'uniform', min: 1, max: 1 + 2 ** -52 });
    expect(drawMany(1000, () => tight(random)).every((x) => x === 1)).toBe(true);
  });

  it('handles the parameters at the ends of their ranges', () => {
    expect(samplerOf({ kind: 'poisson', lambda: 0 })(random)).toBe(0);
    expect(samplerOf({ kind: 'bernoulli', p: 0 })(random)).toBe(0);
    expect(samplerOf({ kind: 'bernoulli', p: 1 })(random)).toBe(1);
    expect(samplerOf({ kind: 'geometric', p: 1 })(random)).toBe(1);
    expect(samplerOf({ kind: 'uniform_int', min: 3, max: 3 })(random)).toBe(3);
    const beta = samplerOf({ kind: 'beta', a: 0.01, b: 0.01 });
    expect(drawMany(1000, () => beta(random)).every((x) => x >= 0 && x <= 1)).toBe(true);
  });

  it('gives the same values for the same stream', () => {
    const normal = samplerOf({ kind: 'normal', mean: 0, sd: 1 });
    const first = streamOf(3, 'n');
    const second = streamOf(3, 'n');
    expect(drawMany(100, () => normal(first))).toEqual(drawMany(100, () => normal(second)));
  });

  it('rejects invalid parameters', () => {
    expect(() => samplerOf({ kind: 'normal', mean: 0, sd: 0 })).toThrow('sd must be > 0');
  });
});
