import type { Curve } from '../schema/modifiers.schema';

export type TrendKind = 'exponential' | 'linear' | 'logarithmic';

/**
 * The multiplier after t units at a rate r:
 *   exponential  (1 + r)^t        (r > -1; r < 0 decays)
 *   linear       1 + r·t          (must stay >= 0 over the horizon)
 *   logarithmic  1 + r·ln(1 + t)  (diminishing returns)
 */
export function trendFactor(kind: TrendKind, rate: number, t: number): number {
  switch (kind) {
    case 'exponential':
      return (1 + rate) ** t;
    case 'linear':
      return 1 + rate * t;
    case 'logarithmic':
      return 1 + rate * Math.log1p(t);
  }
}

/** Why a trend's parameters would make negative or undefined values over [0, tMax]; or undefined. */
export function trendProblem(kind: TrendKind, rate: number, tMax: number): string | undefined {
  if (!Number.isFinite(rate)) return 'rate must be a finite number';
  if (kind === 'exponential' && rate <= -1)
    return 'an exponential rate must be > -1 (-1 would zero every value)';
  if (trendFactor(kind, rate, tMax) < 0) {
    return `a ${kind} rate of ${rate} turns values negative before the horizon ends (t = ${tMax.toFixed(2)})`;
  }
  return undefined;
}

/** A curve read at an age in whole periods. */
export function curveAt(curve: Curve | undefined, age: number): number {
  if (curve === undefined) return 1;
  if (Array.isArray(curve)) return curve[Math.min(age, curve.length - 1)];
  return Math.max(0, trendFactor(curve.kind, curve.rate, age));
}
