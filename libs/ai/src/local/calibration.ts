import { sigmoid } from './linear-model';

// Module-level aliases: global lookups are slow inside vm sandboxes such as jest's.
const { exp, log, max, min, abs, sqrt } = Math;

/** Golden-section search: 32 steps narrow a 400x temperature range to well under 0.1%. */
function minimize(f: (x: number) => number, lo: number, hi: number, iterations = 32): number {
  const ratio = (sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < iterations; i++) {
    if (fc < fd) {
      [b, d, fd] = [d, c, fc];
      c = b - ratio * (b - a);
      fc = f(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + ratio * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

const LOG_T_RANGE = [log(0.05), log(20)] as const;

export interface SoftmaxCalibration {
  temperature: number;
  /** Probability mass spread evenly over the classes: the share of labels that are wrong. */
  floor: number;
}

/**
 * Temperature scaling (Guo et al. 2017) with a label-noise floor:
 * `p = (1 - floor) * softmax(z / temperature) + floor / K`. With a few percent of wrong
 * labels no prediction is right more than ~95% of the time; temperature alone can only
 * soften everything to match that, which leaves mid-range confidences too low. Fitted by
 * Brier score, which unlike log loss is not dominated by those mislabelled examples.
 */
export function fitSoftmaxCalibration(
  logits: readonly Float64Array[],
  labels: readonly number[],
): SoftmaxCalibration {
  const p = new Float64Array(logits[0]?.length ?? 0);
  const brier = (temperature: number, floor: number) => {
    let loss = 0;
    logits.forEach((z, i) => {
      softmaxInto(z, temperature, p);
      for (let k = 0; k < p.length; k++) {
        loss += ((1 - floor) * p[k] + floor / p.length - (k === labels[i] ? 1 : 0)) ** 2;
      }
    });
    return loss;
  };
  // Coordinate descent: a golden-section search for the temperature, then the floor, whose
  // Brier score is a parabola with a closed-form minimum.
  let temperature = 1;
  let floor = 0;
  for (let round = 0; round < 3; round++) {
    temperature = exp(minimize((logT) => brier(exp(logT), floor), ...LOG_T_RANGE));
    let cross = 0;
    let square = 0;
    logits.forEach((z, i) => {
      softmaxInto(z, temperature, p);
      for (let k = 0; k < p.length; k++) {
        const u = 1 / p.length - p[k];
        cross += (p[k] - (k === labels[i] ? 1 : 0)) * u;
        square += u * u;
      }
    });
    floor = min(max(square > 0 ? -cross / square : 0, 0), MAX_FLOOR);
  }
  return { temperature, floor };
}

/** Above this the "floor" would be hiding a model that does not work. */
const MAX_FLOOR = 0.3;

function softmaxInto(z: Float64Array, t: number, out: Float64Array): void {
  let top = -Infinity;
  for (let k = 0; k < z.length; k++) top = max(top, z[k] / t);
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += out[k] = exp(z[k] / t - top);
  for (let k = 0; k < z.length; k++) out[k] /= sum;
}

/**
 * One temperature per output of a one-vs-rest model, by Brier score. No floor: each code is
 * rare, so a floor would put probability on codes that are almost never there.
 */
export function fitSigmoidTemperatures(
  logits: readonly Float64Array[],
  targets: readonly Float64Array[],
): Float64Array {
  const outputs = logits[0]?.length ?? 0;
  const temperatures = new Float64Array(outputs);
  for (let k = 0; k < outputs; k++) {
    const brier = (logT: number) => {
      const t = exp(logT);
      let loss = 0;
      logits.forEach((z, i) => (loss += (sigmoid(z[k] / t) - targets[i][k]) ** 2));
      return loss;
    };
    temperatures[k] = exp(minimize(brier, ...LOG_T_RANGE));
  }
  return temperatures;
}

/**
 * Expected calibration error with equal-width bins: the average gap between the stated
 * probability and how often the outcome happened, weighted by how many fall in each bin.
 */
export function expectedCalibrationError(
  predicted: readonly number[],
  outcome: readonly number[],
  bins = 10,
): number {
  const count = new Float64Array(bins);
  const sumPredicted = new Float64Array(bins);
  const sumOutcome = new Float64Array(bins);
  predicted.forEach((p, i) => {
    const bin = min(bins - 1, Math.floor(p * bins));
    count[bin]++;
    sumPredicted[bin] += p;
    sumOutcome[bin] += outcome[i];
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] > 0) ece += abs(sumPredicted[b] - sumOutcome[b]) / predicted.length;
  }
  return ece;
}
