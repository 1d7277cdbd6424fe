import type { DecisionMetrics } from '@refinery/ai';
import { decidePromotion } from './promotion-policy';

const metrics = (
  accuracy: number,
  recall: Record<string, number | null>,
  examples = 50,
  support = 20,
): DecisionMetrics => ({
  examples,
  accuracy,
  macro_f1: accuracy,
  calibration_error: 0.05,
  recall,
  support: Object.fromEntries(Object.keys(recall).map((label) => [label, support])),
});
const rules = { margin: 0.01, maxRecallDrop: 0.05, maxRegression: 0.01 };

describe('decidePromotion', () => {
  it('promotes a candidate that beats production by the margin and costs no label recall', () => {
    const d = decidePromotion(
      metrics(0.9, { DAMAGED_ITEM: 0.9, MISSING_ITEM: 0.88 }),
      metrics(0.7, { DAMAGED_ITEM: 0.92, MISSING_ITEM: 0.5 }),
      'classification@1',
      rules,
    );
    expect(d).toMatchObject({ promote: true, accuracy: { candidate: 0.9, production: 0.7 } });
    expect(d.reason).toBe(
      "accuracy 0.900 against classification@1's 0.700 (+0.200) on 50 Gold validation examples; no label with 20 or more examples loses more than 0.05 recall",
    );
  });

  it('keeps a candidate whose gain is below the margin', () => {
    const d = decidePromotion(metrics(0.705, {}), metrics(0.7, {}), 'classification@4', rules);
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(/^accuracy 0.705 does not beat classification@4's 0.700 by 0.01/);
  });

  it('keeps a better candidate that loses too much recall on one label, naming it', () => {
    const d = decidePromotion(
      metrics(0.95, { DAMAGED_ITEM: 0.99, PAYMENT_ISSUE: 0.6, OTHER: null }),
      metrics(0.8, { DAMAGED_ITEM: 0.7, PAYMENT_ISSUE: 0.7, OTHER: 0.9 }),
      'classification@2',
      rules,
    );
    expect(d.promote).toBe(false);
    expect(d.recall_drops).toEqual([{ label: 'PAYMENT_ISSUE', production: 0.7, candidate: 0.6 }]);
    expect(d.reason).toBe('recall falls by more than 0.05: PAYMENT_ISSUE 0.700 -> 0.600');
  });

  it('allows a drop of exactly the configured amount', () => {
    const d = decidePromotion(
      metrics(0.9, { A: 0.65 }),
      metrics(0.8, { A: 0.7 }),
      'resolution@1',
      rules,
    );
    expect(d.promote).toBe(true);
  });

  it('keeps a candidate that is better on the corrections but worse on the reference data', () => {
    const d = decidePromotion(metrics(0.9, {}), metrics(0.5, {}), 'classification@1', rules, {
      candidate: 0.88,
      production: 0.9,
    });
    expect(d.promote).toBe(false);
    expect(d.reason).toBe(
      "accuracy on the reference data (the seed set's held-out split) falls from 0.900 to 0.880, more than 0.01",
    );
    const within = decidePromotion(metrics(0.9, {}), metrics(0.5, {}), 'classification@1', rules, {
      candidate: 0.895,
      production: 0.9,
    });
    expect(within.promote).toBe(true);
  });

  it('lets no label with too few examples veto', () => {
    const d = decidePromotion(
      metrics(0.9, { DELIVERY_DELAY: 0.625 }, 50, 8),
      metrics(0.7, { DELIVERY_DELAY: 0.875 }, 50, 8),
      'classification@1',
      rules,
    );
    expect(d.promote).toBe(true);
  });

  it('promotes nothing without Gold validation examples', () => {
    const d = decidePromotion(metrics(0, {}, 0), metrics(0, {}, 0), 'classification@1', rules);
    expect(d).toMatchObject({
      promote: false,
      reason: 'no Gold validation examples to compare on',
    });
  });
});
