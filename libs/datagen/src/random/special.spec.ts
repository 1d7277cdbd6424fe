import { logFactorial, normalQuantile } from './special';
import { fixtures } from './statistics.spec-fixture';

describe('normalQuantile (AS 241)', () => {
  it.each(fixtures.normalQuantile)("matches scipy's ndtri at %p", (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(z)));
  });
});

describe('logFactorial', () => {
  it.each(fixtures.logFactorial)("matches scipy's gammaln(k + 1) at %p", (k, value) => {
    expect(Math.abs(logFactorial(k) - value)).toBeLessThanOrEqual(1e-14 * Math.max(1, value));
  });
});
