import {
  confidenceSequence,
  cuped,
  meanConfidenceSequence,
  normalQuantile,
  sampleRatioMismatch,
  sampleSizePerVariant,
  studentTCdf,
  studentTQuantile,
  twoProportionTest,
  welchFromSamples,
  welchTest,
} from '../../src/experiments/stats';

const counts = (n: number, conversions: number) => ({ n, conversions });
const summary = (n: number, mean: number, sd: number) => ({ n, mean, sd });

type BadCall = [field: string, call: () => unknown];

describe('bad input is refused with a RangeError naming the field', () => {
  it.each<BadCall>([
    ['control.n', () => twoProportionTest({ control: counts(0, 0), treatment: counts(10, 1) })],
    ['control.n', () => twoProportionTest({ control: counts(-5, 0), treatment: counts(10, 1) })],
    ['treatment.n', () => twoProportionTest({ control: counts(10, 1), treatment: counts(9.5, 1) })],
    [
      'treatment.conversions',
      () => twoProportionTest({ control: counts(10, 1), treatment: counts(10, 11) }),
    ],
    [
      'control.conversions',
      () => twoProportionTest({ control: counts(10, 1.5), treatment: counts(10, 1) }),
    ],
    [
      'control.conversions',
      () => twoProportionTest({ control: counts(10, -1), treatment: counts(10, 1) }),
    ],
    ...[0, 1, 1.5, -0.1, Number.NaN].map(
      (alpha) =>
        [
          'alpha',
          () => twoProportionTest({ control: counts(10, 1), treatment: counts(10, 2), alpha }),
        ] as BadCall,
    ),
    ['control.n', () => welchTest({ control: summary(1, 0, 1), treatment: summary(5, 0, 1) })],
    ['treatment.sd', () => welchTest({ control: summary(5, 0, 1), treatment: summary(5, 0, -1) })],
    [
      'control.mean',
      () => welchTest({ control: summary(5, Number.NaN, 1), treatment: summary(5, 0, 1) }),
    ],
    ['sd', () => welchTest({ control: summary(5, 1, 0), treatment: summary(5, 2, 0) })],
    ['control', () => welchFromSamples([1], [1, 2, 3])],
    ['treatment[2]', () => welchFromSamples([1, 2], [1, 2, Number.NaN])],
    ['baseline_rate', () => sampleSizePerVariant({ baseline_rate: 0, mde: 0.01 })],
    ['baseline_rate', () => sampleSizePerVariant({ baseline_rate: 1, mde: 0.01 })],
    ['mde', () => sampleSizePerVariant({ baseline_rate: 0.1, mde: 0 })],
    ['mde', () => sampleSizePerVariant({ baseline_rate: 0.1, mde: -0.02 })],
    ['baseline_rate + mde', () => sampleSizePerVariant({ baseline_rate: 0.95, mde: 0.05 })],
    ['power', () => sampleSizePerVariant({ baseline_rate: 0.1, mde: 0.01, power: 1 })],
    ['alpha', () => sampleSizePerVariant({ baseline_rate: 0.1, mde: 0.01, alpha: 0 })],
    ['observed', () => sampleRatioMismatch({ observed: [100] })],
    ['expected_ratios', () => sampleRatioMismatch({ observed: [1, 2], expected_ratios: [1] })],
    ['observed[1]', () => sampleRatioMismatch({ observed: [10, -1] })],
    ['observed[0]', () => sampleRatioMismatch({ observed: [10.5, 3] })],
    [
      'expected_ratios[1]',
      () => sampleRatioMismatch({ observed: [1, 2], expected_ratios: [1, 0] }),
    ],
    ['observed', () => sampleRatioMismatch({ observed: [0, 0] })],
    [
      'treatment.x',
      () => cuped({ control: { y: [1, 2], x: [1, 2] }, treatment: { y: [1, 2], x: [1] } }),
    ],
    ['x', () => cuped({ control: { y: [1, 2], x: [3, 3] }, treatment: { y: [4, 2], x: [3, 3] } })],
    [
      'tuning_n',
      () => confidenceSequence({ control: counts(10, 1), treatment: counts(10, 2), tuning_n: 0 }),
    ],
    [
      'alpha',
      () =>
        meanConfidenceSequence({
          control: summary(5, 0, 1),
          treatment: summary(5, 1, 1),
          alpha: 2,
        }),
    ],
    ['p', () => normalQuantile(1.5)],
    ['df', () => studentTCdf(1, 0)],
    ['p', () => studentTQuantile(Number.NaN, 3)],
  ])('%s', (field, call) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(field);
  });
});

describe('edge cases a dashboard will meet', () => {
  it('two arms with no conversions at all: no difference, p = 1, no lift', () => {
    const result = twoProportionTest({ control: counts(500, 0), treatment: counts(400, 0) });
    expect(result).toMatchObject({ difference: 0, z: 0, p_value: 1, lift: null });
    expect([result.ci_low, result.ci_high]).toEqual([0, 0]);
  });

  it('a control that never converts has no relative lift, but still a test', () => {
    const result = twoProportionTest({ control: counts(500, 0), treatment: counts(500, 9) });
    expect(result.lift).toBeNull();
    expect(result.p_value).toBeLessThan(0.01);
  });

  it('a control mean of 0 has no relative lift', () => {
    const result = welchTest({ control: summary(30, 0, 1), treatment: summary(30, 0.5, 1) });
    expect(result.lift).toBeNull();
    expect(result.difference).toBe(0.5);
  });

  it('quantiles at the ends of [0, 1] are infinite, and the middle is exactly 0', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(1, 7)).toBe(Infinity);
  });
});
