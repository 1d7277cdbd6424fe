import type { Random } from './stream';

// Bound once: inside jest's vm context every lookup of a global such as Math costs ~200 ns.
const { floor } = Math;

/**
 * Weighted choice of an index in O(1) per draw: Vose's alias method over the options of
 * positive weight only, so a zero weight is never picked, not even through rounding. One
 * uniform per draw: its integer part picks a column, its fraction decides column or alias.
 */
export function pickerOf(weights: readonly number[]): (random: Random) => number {
  if (weights.length === 0) throw new RangeError('weights must not be empty');
  let total = 0;
  weights.forEach((weight, i) => {
    if (!(Number.isFinite(weight) && weight >= 0)) {
      throw new RangeError(`weights[${i}] must be a finite number >= 0, got ${weight}`);
    }
    total += weight;
  });
  if (!(total > 0 && Number.isFinite(total))) {
    throw new RangeError('weights must have a finite sum > 0');
  }
  const options = weights.flatMap((weight, i) => (weight > 0 ? [i] : []));
  const n = options.length;
  const chance = new Float64Array(n);
  const alias = new Int32Array(n);
  const scaled = options.map((i) => (weights[i] * n) / total);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, j) => (p < 1 ? small : large).push(j));
  while (small.length > 0 && large.length > 0) {
    const s = small.pop() as number;
    const l = large[large.length - 1];
    chance[s] = scaled[s];
    alias[s] = l;
    scaled[l] -= 1 - scaled[s];
    if (scaled[l] < 1) small.push(large.pop() as number);
  }
  // What is left is 1 up to rounding.
  for (const j of [...small, ...large]) {
    chance[j] = 1;
    alias[j] = j;
  }
  const index = Int32Array.from(options);
  return (random) => {
    const x = random.next() * n;
    const floored = floor(x);
    const column = floored < n ? floored : n - 1;
    return index[x - column < chance[column] ? column : alias[column]];
  };
}
