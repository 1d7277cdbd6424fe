import { pickerOf } from './picker';
import { chiSquare, fixtures } from './statistics.spec-fixture';
import { streamOf } from './stream';

const DRAWS = 200_000;

function counts(weights: number[], seed = 5): Float64Array {
  const pick = pickerOf(weights);
  const random = streamOf(seed, 'picker', String(weights.length));
  const observed = new Float64Array(weights.length);
  for (let i = 0; i < DRAWS; i++) observed[pick(random)]++;
  return observed;
}

describe('pickerOf', () => {
  it('picks in proportion to the weights: chi-square below critical at alpha = 0.001', () => {
    const weights = [5, 0, 1, 3, 0.5, 10, 0, 2];
    const observed = counts(weights);
    expect(observed[1]).toBe(0);
    expect(observed[6]).toBe(0);
    const positive = weights.flatMap((w, i) => (w > 0 ? [i] : []));
    const total = weights.reduce((sum, w) => sum + w, 0);
    const statistic = chiSquare(
      positive.map((i) => observed[i]),
      positive.map((i) => (DRAWS * weights[i]) / total),
    );
    expect(statistic).toBeLessThan(fixtures.chi2Critical[String(positive.length - 1)]);
  });

  it('never picks a zero weight, even beside weights that do not sum evenly', () => {
    const weights = Array.from({ length: 13 }, (_, i) => (i % 3 === 0 ? 0 : 0.1 * i + 1e-9));
    const observed = counts(weights, 6);
    weights.forEach((w, i) => (w === 0 ? expect(observed[i]).toBe(0) : undefined));
  });

  it('always picks the only positive weight', () => {
    expect(Array.from(counts([0, 0, 7]))).toEqual([0, 0, DRAWS]);
  });

  it('names the index of a bad weight', () => {
    expect(() => pickerOf([1, -1])).toThrow('weights[1] must be a finite number >= 0, got -1');
    expect(() => pickerOf([1, 2, NaN])).toThrow('weights[2] must be a finite number >= 0');
    expect(() => pickerOf([Infinity])).toThrow('weights[0] must be a finite number >= 0');
    expect(() => pickerOf([0, 0])).toThrow('weights must have a finite sum > 0');
    expect(() => pickerOf([])).toThrow('weights must not be empty');
  });
});
