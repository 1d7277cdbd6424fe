import { type Distribution, parseDistribution } from './distribution';
import { logFactorial, normalQuantile } from './special';
import type { Random } from './stream';

// Bound once: inside jest's vm context every lookup of a global such as Math costs ~200 ns.
const { abs, exp, floor, log, log1p, sqrt } = Math;

export type Sampler = (random: Random) => number;

/**
 * A compiled sampler: parameters are checked and constants worked out once, and a call
 * allocates nothing. Every method is exact (up to floating point) and takes a number of draws
 * fixed by the draws themselves, so a stream gives the same values on every machine: V8
 * computes Math.log, exp and log1p with its own port of fdlibm, not the platform's libm.
 */
export function samplerOf(distribution: Distribution): Sampler {
  const d = parseDistribution(distribution);
  switch (d.kind) {
    case 'constant':
      return () => d.value;
    case 'uniform':
      return uniform(d.min, d.max);
    case 'uniform_int': {
      // floor(u * n) is off from exact by at most n / 2^53 in probability, unmeasurable.
      const n = d.max - d.min + 1;
      return (random) => {
        const k = floor(random.next() * n);
        return d.min + (k < n ? k : n - 1);
      };
    }
    case 'normal':
      return (random) => d.mean + d.sd * standardNormal(random);
    case 'lognormal':
      return (random) => exp(d.mu + d.sigma * standardNormal(random));
    case 'poisson':
      return poisson(d.lambda);
    case 'bernoulli':
      return (random) => (random.next() < d.p ? 1 : 0);
    case 'geometric': {
      // Inversion: P(floor(log(1 - u) / log(1 - p)) >= k) = (1 - p)^k.
      if (d.p === 1) return () => 1;
      const scale = 1 / log1p(-d.p);
      return (random) => floor(log1p(-random.next()) * scale) + 1;
    }
    case 'exponential':
      return (random) => -log1p(-random.next()) * d.mean;
    case 'gamma': {
      const unit = unitGamma(d.shape);
      return (random) => d.scale * unit(random);
    }
    case 'beta': {
      // X / (X + Y) for X ~ Gamma(a), Y ~ Gamma(b); below shape 1 from their logs, as both
      // gammas can underflow to 0 there.
      if (d.a >= 1 && d.b >= 1) {
        const x = marsagliaTsang(d.a);
        const y = marsagliaTsang(d.b);
        return (random) => {
          const gx = x(random);
          return gx / (gx + y(random));
        };
      }
      const x = logUnitGamma(d.a);
      const y = logUnitGamma(d.b);
      return (random) => {
        const lx = x(random);
        return 1 / (1 + exp(y(random) - lx));
      };
    }
  }
}

/** Inversion by AS 241: one uniform per normal (redrawn only on an exact 0). */
function standardNormal(random: Random): number {
  let u = random.next();
  while (u === 0) u = random.next();
  return normalQuantile(u);
}

function uniform(min: number, max: number): Sampler {
  const width = max - min;
  return (random) => {
    // Rounding can reach max; redraw to keep [min, max).
    for (;;) {
      const x = min + width * random.next();
      if (x < max) return x;
    }
  };
}

function poisson(lambda: number): Sampler {
  if (lambda === 0) return () => 0;
  if (lambda < 10) {
    // Inversion by sequential search: one uniform, lambda + 1 steps on average.
    const p0 = exp(-lambda);
    return (random) => {
      const u = random.next();
      let k = 0;
      let p = p0;
      let cdf = p0;
      while (u >= cdf && p > 0) {
        k++;
        p *= lambda / k;
        cdf += p;
      }
      return k;
    };
  }
  // PTRS, transformed rejection with squeeze (Hörmann 1993), valid for lambda >= 10.
  const root = sqrt(lambda);
  const logLambda = log(lambda);
  const b = 0.931 + 2.53 * root;
  const a = -0.059 + 0.02483 * b;
  const logAlpha = log(1.1239 + 1.1328 / (b - 3.4));
  const vr = 0.9277 - 3.6224 / (b - 2);
  return (random) => {
    for (;;) {
      const u = random.next() - 0.5;
      const v = random.next();
      const us = 0.5 - abs(u);
      const k = floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      const logAccept = log(v) + logAlpha - log(a / (us * us) + b);
      if (logAccept <= -lambda + k * logLambda - logFactorial(k)) return k;
    }
  };
}

/** Marsaglia–Tsang (2000) for shape >= 1; for shape < 1, Gamma(shape + 1) * u^(1 / shape). */
function unitGamma(shape: number): Sampler {
  if (shape >= 1) return marsagliaTsang(shape);
  const logOf = logUnitGamma(shape);
  return (random) => exp(logOf(random));
}

/** The log of a Gamma(shape, 1) variate. */
function logUnitGamma(shape: number): Sampler {
  const boosted = marsagliaTsang(shape >= 1 ? shape : shape + 1);
  if (shape >= 1) return (random) => log(boosted(random));
  return (random) => log(boosted(random)) + log1p(-random.next()) / shape;
}

function marsagliaTsang(shape: number): Sampler {
  const d = shape - 1 / 3;
  const c = 1 / sqrt(9 * d);
  return (random) => {
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = standardNormal(random);
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = random.next();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) return d * v;
      if (log(u) < 0.5 * x2 + d * (1 - v + log(v))) return d * v;
    }
  };
}
