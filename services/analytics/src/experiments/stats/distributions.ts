/**
 * Standard normal, Student t and chi-square distribution functions. Lower tails are
 * computed directly (never as 1 - upper), so small p-values keep their relative precision.
 */
import { lnBeta, regularizedBeta, regularizedGamma } from './special-functions';
import { requireFinite, requirePositive } from './validation';

const SQRT_TWO_PI = Math.sqrt(2 * Math.PI);

/** Φ(z), through erfc(x) = Q(1/2, x²), so the lower tail is accurate far below 1e-16. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) throw new RangeError('z must be a number, got NaN');
  const tail = 0.5 * regularizedGamma(0.5, 0.5 * z * z).upper;
  return z < 0 ? tail : 1 - tail;
}

export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT_TWO_PI;
}

// Acklam's rational approximation (relative error 1.15e-9), refined below by Halley steps.
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2,
  -3.066479806614716e1, 2.506628277459239,
];
const B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1,
  -1.328068155288572e1,
];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734,
  4.374664141464968, 2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const ACKLAM_LOW = 0.02425;

/** Φ⁻¹(p): Acklam's approximation polished to full double precision with Halley's method. */
export function normalQuantile(p: number): number {
  requireProbability(p, 'p');
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // 1 - p is exact for p >= 0.5, so solving in the lower tail loses nothing.
  if (p > 0.5) return -normalQuantile(1 - p);
  let x = acklam(p);
  for (let step = 0; step < 3; step++) {
    const density = normalPdf(x);
    if (!(density > 0)) break;
    const u = (normalCdf(x) - p) / density;
    const next = x - u / (1 + (x * u) / 2);
    if (next === x) break;
    x = next;
  }
  return x;
}

function acklam(p: number): number {
  if (p < ACKLAM_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/** P(T <= t) for Student's t with df > 0 degrees of freedom (df need not be an integer). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t)) throw new RangeError('t must be a number, got NaN');
  requirePositive(df, 'df');
  const tail = 0.5 * tailBeta(t, df);
  return t < 0 ? tail : 1 - tail;
}

/** P(|T| > |t|) = I_x(df/2, 1/2) with x = df / (df + t²), computed without overflow. */
function tailBeta(t: number, df: number): number {
  const t2 = t * t;
  if (t2 > df) {
    const ratio = df / t2;
    return regularizedBeta(df / 2, 0.5, ratio / (1 + ratio), 1 / (1 + ratio));
  }
  const ratio = t2 / df;
  return regularizedBeta(df / 2, 0.5, 1 / (1 + ratio), ratio / (1 + ratio));
}

export function studentTPdf(t: number, df: number): number {
  return Math.exp(
    -lnBeta(df / 2, 0.5) - 0.5 * Math.log(df) - ((df + 1) / 2) * Math.log1p((t * t) / df),
  );
}

/**
 * The t with P(T <= t) = p. Solved in the upper tail by Newton's method kept inside a
 * bracket, falling back to bisection (geometric while the bracket is wide), so heavy tails
 * (df = 1, t ~ 1e12) converge as surely as the centre.
 */
export function studentTQuantile(p: number, df: number): number {
  requireProbability(p, 'p');
  requirePositive(df, 'df');
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  const tail = Math.min(p, 1 - p);
  const excess = (t: number) => 0.5 * tailBeta(t, df) - tail;

  let low = 0;
  let high = Math.max(1, -normalQuantile(tail));
  while (excess(high) > 0) {
    low = high;
    high *= 4;
  }
  let t = high;
  for (let i = 0; i < 500; i++) {
    const value = excess(t);
    if (value === 0) break;
    if (value > 0) low = t;
    else high = t;
    let next = t + value / studentTPdf(t, df);
    if (!(next > low && next < high)) {
      next = low > 0 && high > 4 * low ? Math.sqrt(low * high) : (low + high) / 2;
    }
    if (Math.abs(next - t) <= 4 * Number.EPSILON * t) {
      t = next;
      break;
    }
    t = next;
  }
  return p < 0.5 ? -t : t;
}

/** P(X <= x) for a chi-square with df > 0 degrees of freedom. */
export function chiSquareCdf(x: number, df: number): number {
  requireFinite(x, 'x');
  requirePositive(df, 'df');
  return regularizedGamma(df / 2, x / 2).lower;
}

/** P(X > x), computed directly so a tiny p-value is not lost to 1 - cdf. */
export function chiSquareSf(x: number, df: number): number {
  requireFinite(x, 'x');
  requirePositive(df, 'df');
  return regularizedGamma(df / 2, x / 2).upper;
}

function requireProbability(p: number, field: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${field} must be in [0, 1], got ${p}`);
}
