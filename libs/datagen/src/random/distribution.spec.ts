import { DistributionSchema, meanOf } from './distribution';

/** The messages of the issues of parsing `value`. */
const messages = (value: unknown): string[] =>
  DistributionSchema.safeParse(value).error?.issues.map((issue) => issue.message) ?? [];

describe('DistributionSchema', () => {
  it.each([
    [{ kind: 'uniform', min: 2, max: 2 }, 'max must be > min'],
    [{ kind: 'uniform', min: -1e308, max: 1e308 }, 'max - min must be a finite number'],
    [{ kind: 'uniform_int', min: 0.5, max: 3 }, 'min must be a safe integer'],
    [{ kind: 'uniform_int', min: 4, max: 3 }, 'max must be >= min'],
    [{ kind: 'normal', mean: 0, sd: 0 }, 'sd must be > 0'],
    [{ kind: 'normal', mean: Infinity, sd: 1 }, 'mean must be a finite number'],
    [{ kind: 'normal', mean: '1', sd: 1 }, 'mean must be a finite number'],
    [{ kind: 'lognormal', mu: 3.5, sigma: -0.6 }, 'sigma must be > 0'],
    [{ kind: 'poisson', lambda: -1 }, 'lambda must be >= 0'],
    [{ kind: 'poisson', lambda: 1e13 }, 'lambda must be <= 1e12'],
    [{ kind: 'bernoulli', p: 1.5 }, 'p must be <= 1'],
    [{ kind: 'geometric', p: 0 }, 'p must be > 0'],
    [{ kind: 'exponential', mean: 0 }, 'mean must be > 0'],
    [{ kind: 'gamma', shape: 0, scale: 1 }, 'shape must be > 0'],
    [{ kind: 'gamma', shape: 1, scale: -2 }, 'scale must be > 0'],
    [{ kind: 'beta', a: 1, b: 0 }, 'b must be > 0'],
    [{ kind: 'normal', mean: 0 }, 'sd must be a finite number'],
    [{ kind: 'zipf', s: 1 }, 'kind must be one of constant, uniform, uniform_int, normal'],
  ])('rejects %j: %s', (value, message) => {
    expect(messages(value).join('; ')).toContain(message);
  });

  it('rejects unknown fields', () => {
    expect(messages({ kind: 'constant', value: 1, sd: 2 })).toEqual(['Unrecognized key: "sd"']);
  });

  it('accepts the ends of the ranges', () => {
    for (const value of [
      { kind: 'poisson', lambda: 0 },
      { kind: 'bernoulli', p: 0 },
      { kind: 'geometric', p: 1 },
      { kind: 'uniform_int', min: 3, max: 3 },
    ]) {
      expect(messages(value)).toEqual([]);
    }
  });
});

describe('meanOf', () => {
  it('gives the exact means that the fixtures do not cover', () => {
    expect(meanOf({ kind: 'constant', value: -3 })).toBe(-3);
    expect(meanOf({ kind: 'uniform_int', min: 2 ** 52, max: 2 ** 52 + 2 })).toBe(2 ** 52 + 1);
  });

  it('rejects invalid parameters, naming them', () => {
    expect(() => meanOf({ kind: 'geometric', p: 0 })).toThrow(
      'invalid distribution: p must be > 0',
    );
  });
});
