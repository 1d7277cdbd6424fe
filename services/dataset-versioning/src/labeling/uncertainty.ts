/** A model's probabilities over the labels, keyed by label or by position. */
export type Distribution = Readonly<Record<string, number>> | readonly number[];

// Wide enough for float32 softmax output over a few hundred labels, tight enough to catch
// scores that were never normalised.
const SUM_TOLERANCE = 1e-6;

/** 1 - (p1 - p2) for the two most likely labels: 0 when one label is certain, 1 at a tie. */
export function margin(probs: Distribution): number {
  const [p1, p2] = probabilities(probs).sort((a, b) => b - a);
  return clamp01(1 - (p1 - p2));
}

/**
 * Shannon entropy divided by log(k), k counting every label given (zeros too): 0 when one label
 * is certain, 1 when all k are equally likely.
 */
export function entropy(probs: Distribution): number {
  const p = probabilities(probs);
  // 0 * log 0 is taken as 0, its limit.
  const h = -p.reduce((total, x) => (x > 0 ? total + x * Math.log(x) : total), 0);
  return clamp01(h / Math.log(p.length));
}

function probabilities(probs: Distribution): number[] {
  const entries = Object.entries(probs);
  if (entries.length < 2) {
    throw new RangeError(`a distribution needs at least two labels, got ${entries.length}`);
  }
  for (const [label, p] of entries) {
    if (!Number.isFinite(p) || p < 0) {
      throw new RangeError(`probability of "${label}" is ${p}: each must be finite and >= 0`);
    }
  }
  const values = entries.map(([, p]) => p);
  const total = values.reduce((t, p) => t + p, 0);
  if (Math.abs(total - 1) > SUM_TOLERANCE) {
    throw new RangeError(`probabilities sum to ${total}, not 1 (tolerance ${SUM_TOLERANCE})`);
  }
  return values;
}

// Inputs within the sum tolerance can push either score a hair outside [0, 1].
function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
