/** A cohort's users and its revenue in months 0, 1, ... of age, as far as observed. */
export interface CohortRevenue {
  cohort: string;
  users: number;
  revenue_by_month: readonly number[];
}

export interface ArpuCurve {
  /** ARPU(k) ≈ a · r^k for k ≥ 1. */
  a: number;
  r: number;
  /** Pooled observed ARPU at age 0. */
  arpu0: number;
}

/**
 * Pooled ARPU by age: over the cohorts that observed age k, their revenue in that month over
 * their users, Σ revenue_c[k] / Σ users_c (the users-weighted mean of the cohorts' ARPU), and
 * the users behind each age.
 */
export function pooledArpu(cohorts: readonly CohortRevenue[]): { arpu: number[]; users: number[] } {
  const ages = Math.max(0, ...cohorts.map((c) => c.revenue_by_month.length));
  const revenue = new Array<number>(ages).fill(0);
  const users = new Array<number>(ages).fill(0);
  for (const c of cohorts) {
    c.revenue_by_month.forEach((value, k) => {
      revenue[k] += value;
      users[k] += c.users;
    });
  }
  return { arpu: revenue.map((value, k) => value / users[k]), users };
}

/**
 * Fits ARPU(k) = a · r^k for k ≥ 1 by weighted least squares on the log scale,
 *
 *     minimise Σ_k n_k (log ARPU(k) - log a - k log r)²,
 *
 * n_k the users behind ARPU(k), so an age seen by one small cohort counts for little. Ages
 * with ARPU ≤ 0 have no logarithm and are left out. Null when fewer than two ages remain or
 * nobody observed age 0.
 */
export function fitArpuCurve(cohorts: readonly CohortRevenue[]): ArpuCurve | null {
  const { arpu, users } = pooledArpu(cohorts);
  if (!(users[0] > 0)) return null;
  const points: { k: number; y: number; w: number }[] = [];
  for (let k = 1; k < arpu.length; k++) {
    if (arpu[k] > 0) points.push({ k, y: Math.log(arpu[k]), w: users[k] });
  }
  if (points.length < 2) return null;
  let weight = 0;
  let kSum = 0;
  let ySum = 0;
  for (const p of points) {
    weight += p.w;
    kSum += p.w * p.k;
    ySum += p.w * p.y;
  }
  // Centred sums: the slope loses no digits to the size of k or log ARPU.
  const kMean = kSum / weight;
  const yMean = ySum / weight;
  let skk = 0;
  let sky = 0;
  for (const p of points) {
    skk += p.w * (p.k - kMean) ** 2;
    sky += p.w * (p.k - kMean) * (p.y - yMean);
  }
  const slope = sky / skk;
  return { a: Math.exp(yMean - slope * kMean), r: Math.exp(slope), arpu0: arpu[0] };
}

/** The curve's ARPU at age k: observed at 0, fitted beyond. */
export function arpuAt(curve: ArpuCurve, k: number): number {
  return k === 0 ? curve.arpu0 : curve.a * curve.r ** k;
}
