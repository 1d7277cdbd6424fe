import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cohensKappa,
  fleissKappa,
  krippendorffAlpha,
  type Rating,
} from '../../src/labeling/agreement';

// Made once by fixtures/agreement.py (statsmodels' cohens_kappa and fleiss_kappa, NLTK's
// alpha) from seeded random ratings; see that script to regenerate.
interface Fixtures {
  cases: Array<{ name: string; ratings: Rating[] }>;
  cohen: Array<{
    case: string;
    items: number;
    kappa: number;
    standard_error: number;
    ci95: { low: number; high: number };
  }>;
  fleiss: Array<{ case: string; items: number; kappa: number }>;
  krippendorff_alpha: Array<{ case: string; alpha: number }>;
}

const fixtures = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/agreement.json'), 'utf8'),
) as Fixtures;

function ratingsOf(name: string): Rating[] {
  const found = fixtures.cases.find((c) => c.name === name);
  if (!found) throw new Error(`no fixture case "${name}"`);
  return found.ratings;
}

function expectNear(actual: number | null | undefined, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThan(1e-9);
}

describe('agreement against statsmodels and NLTK', () => {
  it.each(fixtures.cohen)("Cohen's kappa, SE and 95% CI: $case", (expected) => {
    const k = cohensKappa(ratingsOf(expected.case));
    expect(k.items).toBe(expected.items);
    expectNear(k.kappa, expected.kappa);
    expectNear(k.standard_error, expected.standard_error);
    expectNear(k.ci95?.low, expected.ci95.low);
    expectNear(k.ci95?.high, expected.ci95.high);
  });

  it.each(fixtures.fleiss)("Fleiss' kappa: $case", (expected) => {
    const k = fleissKappa(ratingsOf(expected.case));
    expect(k.items).toBe(expected.items);
    expectNear(k.kappa, expected.kappa);
  });

  it.each(fixtures.krippendorff_alpha)("Krippendorff's alpha: $case", (expected) => {
    expectNear(krippendorffAlpha(ratingsOf(expected.case)).alpha, expected.alpha);
  });
});
