import { Rng } from '../seed/prng';
import {
  expectedCalibrationError,
  fitSigmoidTemperatures,
  fitSoftmaxCalibration,
} from './calibration';
import { sigmoid, softmax } from './linear-model';

/** Draws class `k` with probability softmax(z / trueTemperature)[k]. */
function draw(z: Float64Array, trueTemperature: number, rng: Rng): number {
  const p = softmax(z, trueTemperature);
  let roll = rng.next();
  for (let k = 0; k < p.length; k++) if ((roll -= p[k]) < 0) return k;
  return p.length - 1;
}

describe('expectedCalibrationError', () => {
  it('is zero when stated confidence matches the hit rate and large when it does not', () => {
    const confidences = Array(100).fill(0.75);
    const hits = [...Array(100).keys()].map((i) => (i % 4 === 0 ? 0 : 1));
    expect(expectedCalibrationError(confidences, hits)).toBeCloseTo(0);
    expect(expectedCalibrationError(Array(100).fill(0.99), hits)).toBeCloseTo(0.24);
  });
});

describe('temperature scaling', () => {
  const rng = new Rng(7);
  const logits = Array.from({ length: 4000 }, () =>
    Float64Array.from({ length: 5 }, () => (rng.next() - 0.5) * 8),
  );

  it('recovers the temperature of an overconfident softmax', () => {
    const labels = logits.map((z) => draw(z, 2.5, rng));
    const { temperature, floor } = fitSoftmaxCalibration(logits, labels);
    expect(temperature).toBeGreaterThan(2.2);
    expect(temperature).toBeLessThan(2.8);
    expect(floor).toBeLessThan(0.02);
  });

  it('recovers the share of wrong labels as the floor', () => {
    // A tenth of the labels replaced by a uniformly random class.
    const labels = logits.map((z) => (rng.next() < 0.1 ? rng.int(0, 4) : draw(z, 1, rng)));
    const { temperature, floor } = fitSoftmaxCalibration(logits, labels);
    expect(temperature).toBeGreaterThan(0.85);
    expect(temperature).toBeLessThan(1.15);
    expect(floor).toBeGreaterThan(0.05);
    expect(floor).toBeLessThan(0.15);
  });

  it('recovers the temperature of each one-vs-rest output separately', () => {
    const targets = logits.map((z) =>
      Float64Array.from(z.slice(0, 2), (v, k) => (rng.next() < sigmoid(v / [0.5, 3][k]) ? 1 : 0)),
    );
    const [sharp, soft] = fitSigmoidTemperatures(
      logits.map((z) => z.slice(0, 2)),
      targets,
    );
    expect(sharp).toBeGreaterThan(0.4);
    expect(sharp).toBeLessThan(0.6);
    expect(soft).toBeGreaterThan(2.5);
    expect(soft).toBeLessThan(3.5);
  });
});
