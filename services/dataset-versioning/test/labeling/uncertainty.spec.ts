import { entropy, margin } from '../../src/labeling/uncertainty';

describe('margin', () => {
  it('is 1 - (p1 - p2) over the two most likely labels, in any order', () => {
    expect(margin({ cat: 0.1, dog: 0.7, bird: 0.2 })).toBeCloseTo(0.5, 12);
    expect(margin([0.2, 0.1, 0.7])).toBeCloseTo(0.5, 12);
    expect(margin([0.5, 0.5])).toBe(1);
    expect(margin([1, 0, 0])).toBe(0);
  });
});

describe('entropy', () => {
  it('is Shannon entropy over log(k), from 0 for a certain label to 1 for a uniform one', () => {
    expect(entropy([1, 0, 0])).toBe(0);
    expect(entropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(1, 12);
    // -(0.5 ln 0.5 + 2 * 0.25 ln 0.25) / ln 3 = 1.5 ln 2 / ln 3
    expect(entropy({ a: 0.5, b: 0.25, c: 0.25 })).toBeCloseTo((1.5 * Math.LN2) / Math.log(3), 12);
    // Two labels at 0.9 / 0.1: 0.468995594 bits.
    expect(entropy([0.9, 0.1])).toBeCloseTo(0.468995594, 9);
  });
});

describe('uncertainty ordering', () => {
  it('ranks a flatter distribution as more uncertain by both scores', () => {
    const confident = [0.9, 0.05, 0.05];
    const torn = [0.5, 0.4, 0.1];
    const flat = [0.34, 0.33, 0.33];
    expect(margin(confident)).toBeLessThan(margin(torn));
    expect(margin(torn)).toBeLessThan(margin(flat));
    expect(entropy(confident)).toBeLessThan(entropy(torn));
    expect(entropy(torn)).toBeLessThan(entropy(flat));
  });
});

describe('invalid distributions', () => {
  it.each([
    [[0.5, -0.1, 0.6], 'probability of "1" is -0.1: each must be finite and >= 0'],
    [{ cat: Number.NaN, dog: 1 }, 'probability of "cat" is NaN: each must be finite and >= 0'],
    [[0.5, 0.3], 'probabilities sum to 0.8, not 1 (tolerance 0.000001)'],
    [[2, 3, 5], 'probabilities sum to 10, not 1'],
    [[1], 'a distribution needs at least two labels, got 1'],
    [{}, 'a distribution needs at least two labels, got 0'],
  ])('refuses %j', (probs, message) => {
    expect(() => margin(probs)).toThrow(message);
    expect(() => entropy(probs)).toThrow(message);
  });

  it('accepts a sum off by rounding, and keeps both scores within [0, 1]', () => {
    const rounded = [0.3333334, 0.3333334, 0.3333334];
    expect(entropy(rounded)).toBe(1);
    expect(margin(rounded)).toBe(1);
  });
});
