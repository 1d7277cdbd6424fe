import { murmur128 } from './hash';
import { bitsAt, streamOf, uniformAt } from './stream';
import { chiSquare, correlation, drawMany, fixtures, ksUniform } from './statistics.spec-fixture';

// Every statistical check below is at alpha = 0.001 (critical values from scipy, see
// fixtures/make-distribution-fixtures.py) on fixed streams, so a pass or a fail is the same on
// every run. Under independence, r of n = 1e5 pairs is about N(0, 1/n): |r| < 0.01 is a
// 3.16-sigma bound, alpha about 0.0016.
const PAIRS = 100_000;
const MAX_CORRELATION = 0.01;
const { draws, bins, chi2Critical, ksCritical } = fixtures.uniformity;

const firstOf = (n: number, seed: number, ...path: string[]): Float64Array => {
  const random = streamOf(seed, ...path);
  return drawMany(n, () => random.next());
};

/** Chi-square over `bins` equal bins of [0, 1). */
function binnedChiSquare(values: Float64Array, count = bins): number {
  const observed = new Float64Array(count);
  for (const u of values) observed[Math.floor(u * count)]++;
  return chiSquare(observed, new Float64Array(count).fill(values.length / count));
}

describe('the key hash', () => {
  it('is MurmurHash3_x86_128: SMHasher verification value 0xB3ECE62A', () => {
    const key = new Uint8Array(256);
    const hashes = new Uint8Array(16 * 256);
    const out = new Int32Array(4);
    for (let i = 0; i < 256; i++) {
      key[i] = i;
      murmur128(key, i, 256 - i, out);
      hashes.set(new Uint8Array(Int32Array.from(out).buffer), 16 * i);
    }
    murmur128(hashes, hashes.length, 0, out);
    expect(out[0] >>> 0).toBe(0xb3ece62a);
  });
});

describe('streamOf', () => {
  it('gives the same values for the same seed and path', () => {
    expect(firstOf(1000, 7, 'a', 'b')).toEqual(firstOf(1000, 7, 'a', 'b'));
  });

  // These values are every user's generated data: a change here changes all of it. They were
  // checked against an independent Python implementation (mmh3 + sfc32) of the documented steps.
  it('keeps its golden values', () => {
    expect(Array.from(firstOf(5, 7, 'orders', 'total'))).toEqual([
      0.8847565929137382, 0.7302857720919249, 0.6912072960837775, 0.3221307071162235,
      0.11436427272409277,
    ]);
    expect(streamOf(-1, 'ab', 'c').next()).toBe(0.17977409190014437);
    expect(streamOf(2 ** 52, 'é😀').next()).toBe(0.849011974746637);
  });

  it('does not depend on other streams drawn in between', () => {
    const alone = firstOf(100, 7, 'orders', 'total');
    const random = streamOf(7, 'orders', 'total');
    const other = streamOf(7, 'orders', 'count');
    expect(drawMany(100, () => (other.next(), random.next()))).toEqual(alone);
  });

  it.each([
    ['another path', [7, 'a', 'c']],
    ['another seed', [8, 'a', 'b']],
    ['a shorter path', [7, 'a']],
  ] as const)('gives an uncorrelated stream for %s', (_, [seed, ...path]) => {
    const r = correlation(firstOf(PAIRS, 7, 'a', 'b'), firstOf(PAIRS, seed, ...path));
    expect(Math.abs(r)).toBeLessThan(MAX_CORRELATION);
  });

  it("joins the path unambiguously: ('ab', 'c') is not ('a', 'bc')", () => {
    const joined = firstOf(PAIRS, 7, 'ab', 'c');
    const other = firstOf(PAIRS, 7, 'a', 'bc');
    expect(joined[0]).not.toBe(other[0]);
    expect(Math.abs(correlation(joined, other))).toBeLessThan(MAX_CORRELATION);
  });

  it('is uniform on [0, 1): chi-square and KS of 1e6 draws below their critical values', () => {
    const values = firstOf(draws, 7, 'uniformity');
    expect(Math.min(...values.subarray(0, 1000))).toBeGreaterThanOrEqual(0);
    expect(binnedChiSquare(values)).toBeLessThan(chi2Critical);
    expect(ksUniform(values)).toBeLessThan(ksCritical);
    // The lowest 8 of the 53 bits are uniform too.
    const lowBits = values.map((u) => ((u * 2 ** 53) % 256) / 256);
    expect(binnedChiSquare(lowBits, 256)).toBeLessThan(fixtures.chi2Critical['255']);
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => streamOf(1.5, 'a')).toThrow('seed must be a safe integer');
    expect(() => streamOf(2 ** 53, 'a')).toThrow('seed must be a safe integer');
  });
});

describe('uniformAt and bitsAt', () => {
  const at = (n: number, path = 'customers.id', draw = 0) =>
    drawMany(n, (i) => uniformAt(7, path, i, draw));

  it('keep their golden values', () => {
    expect(Array.from(at(5))).toEqual([
      0.1936907775234431, 0.14418010436929762, 0.08197732432745397, 0.6268308931030333,
      0.03266780613921583,
    ]);
    expect(bitsAt(-3, 'x', 2 ** 40 + 5, 7)).toBe(698677524);
  });

  it('are uniform over consecutive indexes: chi-square and KS of 1e6 below critical', () => {
    const values = at(draws);
    expect(binnedChiSquare(values)).toBeLessThan(chi2Critical);
    expect(ksUniform(values)).toBeLessThan(ksCritical);
    const lowByte = drawMany(draws, (i) => (bitsAt(7, 'customers.id', i) & 255) / 256);
    expect(binnedChiSquare(lowByte, 256)).toBeLessThan(fixtures.chi2Critical['255']);
  });

  it('are uncorrelated across neighbouring indexes, draws, paths and seeds', () => {
    const base = at(PAIRS + 1);
    const cases = [
      [base.subarray(0, PAIRS), base.subarray(1)],
      [base.subarray(0, PAIRS), at(PAIRS, 'customers.id', 1)],
      [base.subarray(0, PAIRS), at(PAIRS, 'orders.id')],
      [base.subarray(0, PAIRS), drawMany(PAIRS, (i) => uniformAt(8, 'customers.id', i))],
    ];
    for (const [xs, ys] of cases)
      expect(Math.abs(correlation(xs, ys))).toBeLessThan(MAX_CORRELATION);
  });

  it('agree with themselves whatever was asked in between', () => {
    const first = uniformAt(7, 'customers.id', 3);
    uniformAt(7, 'orders.id', 3);
    uniformAt(8, 'customers.id', 3);
    expect(uniformAt(7, 'customers.id', 3)).toBe(first);
  });

  it('reject an index or draw out of range', () => {
    expect(() => bitsAt(7, 'p', -1)).toThrow('index must be a safe integer >= 0');
    expect(() => bitsAt(7, 'p', 0.5)).toThrow('index must be a safe integer >= 0');
    expect(() => bitsAt(7, 'p', 2 ** 53)).toThrow('index must be a safe integer >= 0');
    expect(() => bitsAt(7, 'p', 0, 2 ** 32)).toThrow('draw must be an integer in [0, 2^32)');
  });
});
