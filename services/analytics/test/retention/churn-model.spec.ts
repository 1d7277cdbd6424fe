import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  auc,
  CHURN_FEATURES,
  holdoutFraction,
  trainChurnModel,
  type ChurnModel,
  type LabelledCustomer,
} from '../../src/retention/churn-model';

// Made once by fixtures/retention/churn_fixture.py (statsmodels Logit, scipy mannwhitneyu);
// see that script to regenerate.
interface Fixture {
  holdout_share: number;
  customers: [string, number, number, number, number, number, boolean][];
  holdout_ids: string[];
  expected: Pick<ChurnModel, 'coefficients' | 'means' | 'sds' | 'converged' | 'train'> & {
    holdout: { n: number; churn_rate: number; auc: number; log_loss: number };
  };
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/retention/churn.json'), 'utf8'),
) as Fixture;
const customers: LabelledCustomer[] = fixture.customers.map(
  ([id, recency_days, frequency, monetary, exceptions, tenure_days, churned]) => ({
    id,
    recency_days,
    frequency,
    monetary,
    exceptions,
    tenure_days,
    churned,
  }),
);

function expectNear(actual: number, expected: number, tolerance: number): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`expected ${expected}, got ${actual} (allowed ${tolerance})`);
  }
}

describe('auc', () => {
  it('is 1 when every churned customer outscores every retained one, 0 when inverted', () => {
    expect(auc([0.9, 0.8, 0.3, 0.1], [true, true, false, false])).toBe(1);
    expect(auc([0.9, 0.8, 0.3, 0.1], [false, false, true, true])).toBe(0);
  });

  it('counts ties as half a pair', () => {
    expect(auc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5);
    // Pairs (churned, retained): 0.5 vs 0.5 tie 1/2, 0.5 vs 0.2 win, 0.9 beats both: 3.5 / 4.
    expect(auc([0.5, 0.5, 0.2, 0.9], [true, false, false, true])).toBe(0.875);
    // 0.35 beats 0.1 but not 0.4; 0.8 beats both: 3 / 4.
    expect(auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
  });

  it('refuses labels of one class and mismatched lengths', () => {
    expect(() => auc([0.1, 0.2], [true, true])).toThrow(RangeError);
    expect(() => auc([0.1], [true, false])).toThrow(RangeError);
  });
});

describe('churn model against statsmodels and scipy', () => {
  const model = trainChurnModel(customers, { holdoutShare: fixture.holdout_share, ridge: 0 });
  const { expected } = fixture;

  it('holds out the same customers by the hash of their id', () => {
    const held = customers.filter((c) => holdoutFraction(c.id) < fixture.holdout_share);
    expect(held.map((c) => c.id)).toEqual(fixture.holdout_ids);
    expect(model.train).toEqual({ n: expected.train.n, churn_rate: expected.train.churn_rate });
    expect(model.holdout.n).toBe(expected.holdout.n);
    expect(model.holdout.churn_rate).toBe(expected.holdout.churn_rate);
  });

  it('standardises with the train split and recovers Logit coefficients to 1e-6', () => {
    for (const f of CHURN_FEATURES) {
      expectNear(model.means[f], expected.means[f], 1e-9 * Math.abs(expected.means[f]));
      expectNear(model.sds[f], expected.sds[f], 1e-9 * expected.sds[f]);
      expectNear(model.coefficients[f], expected.coefficients[f], 1e-6);
    }
    expectNear(model.coefficients.intercept, expected.coefficients.intercept, 1e-6);
    expect(model.converged).toBe(true);
    expect(model.iterations).toBeLessThan(15);
  });

  it('reports the holdout AUC to 1e-9 and its log loss', () => {
    expectNear(model.holdout.auc as number, expected.holdout.auc, 1e-9);
    expectNear(model.holdout.log_loss as number, expected.holdout.log_loss, 1e-9);
  });

  it('scores a customer with the standardised coefficients', () => {
    const c = customers[0];
    let eta = expected.coefficients.intercept;
    for (const f of CHURN_FEATURES) {
      eta += (expected.coefficients[f] * (c[f] - expected.means[f])) / expected.sds[f];
    }
    expectNear(model.score(c), 1 / (1 + Math.exp(-eta)), 1e-7);
  });
});

describe('churn model on planted data', () => {
  const model = trainChurnModel(customers);

  it('finds the planted directions and ranks the holdout well above chance', () => {
    expect(model.coefficients.recency_days).toBeGreaterThan(0.5);
    expect(model.coefficients.exceptions).toBeGreaterThan(0.2);
    expect(model.coefficients.monetary).toBeLessThan(-0.2);
    expect(model.holdout.auc).toBeGreaterThan(0.75);
    expect(model.converged).toBe(true);
  });

  it('shrinks the coefficients only slightly with the default ridge', () => {
    const unpenalised = trainChurnModel(customers, { ridge: 0 });
    const norm = (m: ChurnModel) => Math.hypot(...CHURN_FEATURES.map((f) => m.coefficients[f]));
    expect(norm(model)).toBeLessThan(norm(unpenalised));
    for (const f of CHURN_FEATURES) {
      expectNear(model.coefficients[f], unpenalised.coefficients[f], 1e-3);
    }
  });

  it('gives the same model whatever the order of the rows', () => {
    const reversed = trainChurnModel([...customers].reverse());
    expect(reversed.holdout.n).toBe(model.holdout.n);
    for (const f of CHURN_FEATURES)
      expectNear(reversed.coefficients[f], model.coefficients[f], 1e-9);
  });

  it('leaves a feature that never varies out of the fit', () => {
    const flat = trainChurnModel(customers.map((c) => ({ ...c, exceptions: 0.1 })));
    expect(flat.sds.exceptions).toBe(0);
    expect(flat.coefficients.exceptions).toBe(0);
    expect(flat.converged).toBe(true);
    const p = flat.score({ ...customers[0], exceptions: 5 });
    expect(p).toBe(flat.score({ ...customers[0], exceptions: 0.1 }));
  });

  it('converges under the default ridge when churn is perfectly separated, not without', () => {
    const separated = customers.map((c) => ({ ...c, churned: c.recency_days > 40 }));
    const fit = trainChurnModel(separated);
    expect(fit.converged).toBe(true);
    expect(fit.holdout.auc).toBe(1);
    expect(() => trainChurnModel(separated, { ridge: 0 })).toThrow(/use a ridge above 0/);
  });
});

describe('churn model input', () => {
  const row = customers[0];

  it('refuses no customers, one class in training, and non-finite features', () => {
    expect(() => trainChurnModel([])).toThrow(RangeError);
    const retained = customers.map((c) => ({ ...c, churned: false }));
    expect(() => trainChurnModel(retained)).toThrow(/both churned and retained/);
    const broken = [...customers, { ...row, id: 'x', monetary: Number.NaN }];
    expect(() => trainChurnModel(broken)).toThrow(/monetary must be a finite number/);
    const infinite = [...customers, { ...row, id: 'y', tenure_days: Infinity }];
    expect(() => trainChurnModel(infinite)).toThrow(RangeError);
  });

  it('refuses a holdout share outside [0, 1) and a negative ridge', () => {
    expect(() => trainChurnModel(customers, { holdoutShare: 1 })).toThrow(RangeError);
    expect(() => trainChurnModel(customers, { ridge: -1 })).toThrow(RangeError);
  });

  it('refuses to score a customer with a missing feature', () => {
    const model = trainChurnModel(customers);
    expect(() => model.score({ ...row, recency_days: Number.NaN })).toThrow(RangeError);
  });
});
