import type { SparseVector } from './feature-space';

// Module-level aliases: global lookups are slow inside vm sandboxes such as jest's.
const { exp, max } = Math;

/**
 * `softmax`: one multinomial logistic regression over exclusive classes.
 * `sigmoid`: independent one-vs-rest logistic regressions, for multi-label outputs.
 */
export type Link = 'softmax' | 'sigmoid';

export interface LinearModel {
  link: Link;
  outputs: number;
  dims: number;
  /** Row-major: `weights[output * dims + column]`. */
  weights: Float64Array;
  bias: Float64Array;
  /** Divides the logits; fitted on held-out data so probabilities are calibrated. */
  temperatures: Float64Array;
  /** Softmax only: probability spread evenly over the classes, for label noise. */
  floor: number;
}

export function createLinearModel(link: Link, outputs: number, dims: number): LinearModel {
  return {
    link,
    outputs,
    dims,
    weights: new Float64Array(outputs * dims),
    bias: new Float64Array(outputs),
    temperatures: new Float64Array(outputs).fill(1),
    floor: 0,
  };
}

/** Raw (uncalibrated) logits. */
export function logits(model: LinearModel, x: SparseVector): Float64Array {
  const out = Float64Array.from(model.bias);
  for (let k = 0; k < model.outputs; k++) {
    const row = k * model.dims;
    let sum = 0;
    for (let i = 0; i < x.indices.length; i++)
      sum += model.weights[row + x.indices[i]] * x.values[i];
    out[k] += sum;
  }
  return out;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}

export function softmax(z: ArrayLike<number>, temperature = 1): Float64Array {
  let top = -Infinity;
  for (let k = 0; k < z.length; k++) top = max(top, z[k] / temperature);
  const out = new Float64Array(z.length);
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    out[k] = exp(z[k] / temperature - top);
    sum += out[k];
  }
  for (let k = 0; k < z.length; k++) out[k] /= sum;
  return out;
}

/** Turns logits into probabilities, calibrated unless `raw`. */
export function probabilitiesFrom(model: LinearModel, z: Float64Array, raw = false): Float64Array {
  if (model.link === 'softmax') {
    if (raw) return softmax(z);
    const { floor, outputs } = model;
    return softmax(z, model.temperatures[0]).map((p) => (1 - floor) * p + floor / outputs);
  }
  return z.map((value, k) => sigmoid(raw ? value : value / model.temperatures[k]));
}

export function probabilities(model: LinearModel, x: SparseVector, raw = false): Float64Array {
  return probabilitiesFrom(model, logits(model, x), raw);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}
