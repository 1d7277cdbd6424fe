import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Distribution } from './distribution';

/** One parameter set, with scipy's exact answers (see fixtures/make-distribution-fixtures.py). */
export interface FixtureCase {
  name: string;
  distribution: Distribution;
  discrete: boolean;
  mean: number;
  variance: number;
  excessKurtosis: number;
  quantiles: { p: number; value: number; low: number; high: number }[];
  pmf?: { first: number; values: number[] };
  bins?: { edges: number[]; probs: number[] };
  grid?: number[];
  chi2Critical: number;
  ksCritical?: number;
}

export interface Fixtures {
  alpha: number;
  samples: number;
  uniformity: { draws: number; bins: number; chi2Critical: number; ksCritical: number };
  chi2Critical: Record<string, number>;
  normalQuantile: [number, number][];
  logFactorial: [number, number][];
  cases: FixtureCase[];
}

export const fixtures: Fixtures = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/distributions.json'), 'utf8'),
);

/** Pearson's statistic of observed counts against expected ones. */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < observed.length; i++) sum += (observed[i] - expected[i]) ** 2 / expected[i];
  return sum;
}

/** How many of the ascending `edges` are below x (strictly, or also equal when `inclusive`). */
export function rank(edges: readonly number[], x: number, inclusive: boolean): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < x || (inclusive && edges[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The exact Kolmogorov–Smirnov statistic of values against the uniform distribution on [0, 1). */
export function ksUniform(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, (i + 1) / n - sorted[i], sorted[i] - i / n);
  return d;
}

/** Pearson's correlation coefficient. */
export function correlation(xs: Float64Array, ys: Float64Array): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] / n;
    my += ys[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** n values of `draw`. */
export function drawMany(n: number, draw: (i: number) => number): Float64Array {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = draw(i);
  return values;
}
