import { Rng } from '../seed/prng';
import type { SparseVector } from './feature-space';
import { createLinearModel, sigmoid, type Link, type LinearModel } from './linear-model';

// Module-level aliases: global lookups are slow inside vm sandboxes such as jest's.
const { exp, max, min, ceil, fround } = Math;

export interface TrainingOptions {
  link: Link;
  outputs: number;
  dims: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 penalty on the weights (not the biases): `l2 / 2 * |w|^2` added to the mean loss. */
  l2: number;
  /** Seeds the shuffling, so the same data always gives the same weights. */
  seed: number;
}

/**
 * Mini-batch SGD on the cross-entropy of a softmax or of independent sigmoids; the
 * gradient is `p - y` in both cases. The L2 decay is applied lazily through one scale
 * factor, so a step costs the non-zero features of the batch rather than the whole matrix.
 * The weights come back rounded to float32 precision.
 */
export function trainLinear(
  inputs: readonly SparseVector[],
  targets: readonly Float64Array[],
  options: TrainingOptions,
): LinearModel {
  const { link, outputs, dims, epochs, batchSize, learningRate, l2 } = options;
  const model = createLinearModel(link, outputs, dims);
  const w = model.weights;
  const rng = new Rng(options.seed);
  const order = inputs.map((_, i) => i);
  // Typed arrays are costly to allocate; one set of buffers serves every batch.
  const z = new Float64Array(outputs);
  const gradients = new Float64Array(batchSize * outputs);
  const batchesPerEpoch = ceil(order.length / batchSize);
  let scale = 1;
  let step = 0;

  for (let epoch = 0; epoch < epochs; epoch++) {
    rng.shuffle(order);
    for (let start = 0; start < order.length; start += batchSize) {
      const end = min(start + batchSize, order.length);
      // 1/t decay, stretched so the rate only halves after four epochs.
      const rate = learningRate / (1 + step++ / batchesPerEpoch / 4);
      // Gradients of one batch are computed against the weights before the batch's updates.
      for (let b = start; b < end; b++) {
        const i = order[b];
        scaledLogits(model, inputs[i], scale, z);
        if (link === 'softmax') softmaxInPlace(z);
        else for (let k = 0; k < outputs; k++) z[k] = sigmoid(z[k]);
        for (let k = 0; k < outputs; k++)
          gradients[(b - start) * outputs + k] = z[k] - targets[i][k];
      }
      scale *= 1 - rate * l2;
      // A short last batch steps in proportion to its rows: divided by its own size, a few rows
      // would move the weights as far as a full batch, and training ends on such a step.
      const stepSize = rate / batchSize;
      for (let b = start; b < end; b++) {
        const x = inputs[order[b]];
        for (let k = 0; k < outputs; k++) {
          const g = gradients[(b - start) * outputs + k];
          if (g === 0) continue;
          const row = k * dims;
          const delta = (stepSize * g) / scale;
          for (let j = 0; j < x.indices.length; j++) w[row + x.indices[j]] -= delta * x.values[j];
          model.bias[k] -= stepSize * g;
        }
      }
      if (scale < 1e-6) {
        for (let j = 0; j < w.length; j++) w[j] *= scale;
        scale = 1;
      }
    }
  }
  // Float32 is far finer than what SGD resolves, and it halves the shipped model's weights
  // (model-artifact.ts stores them as float32 when every one is exact).
  for (let j = 0; j < w.length; j++) w[j] = fround(w[j] * scale);
  return model;
}

/** Logits while the weights are stored divided by `scale`; biases are never decayed. */
function scaledLogits(model: LinearModel, x: SparseVector, scale: number, z: Float64Array): void {
  for (let k = 0; k < model.outputs; k++) {
    const row = k * model.dims;
    let sum = 0;
    for (let i = 0; i < x.indices.length; i++)
      sum += model.weights[row + x.indices[i]] * x.values[i];
    z[k] = model.bias[k] + sum * scale;
  }
}

function softmaxInPlace(z: Float64Array): void {
  let top = -Infinity;
  for (let k = 0; k < z.length; k++) top = max(top, z[k]);
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += z[k] = exp(z[k] - top);
  for (let k = 0; k < z.length; k++) z[k] /= sum;
}
