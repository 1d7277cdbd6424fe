import type { RecordInput } from '../provider';
import { enrichWith, exceptionRecord, orderRecord } from '../records.spec-fixture';
import { RulesProvider } from './rules-provider';

const NOW = new Date('2025-03-10T12:00:00Z');
const rules = new RulesProvider({ now: () => NOW });

const exception = (description: string, extra: Record<string, unknown> = {}) =>
  exceptionRecord({ description, ...extra });
const order = (overrides: Record<string, unknown> = {}) =>
  orderRecord({
    items: [{ sku: 'MUG', quantity: 2, unit_price: 10 }],
    status: 'shipped',
    shipping: { country: 'DE', promised_at: '2025-03-12T00:00:00Z' },
    ...overrides,
  });

/** All three stages, as the pipeline runs them. */
const enrich = (record: RecordInput) => enrichWith(rules, record);

describe('RulesProvider', () => {
  it('names itself and its rule set', () => {
    expect(rules.name).toBe('rules');
    expect(rules.version).toBe('rules-1');
  });

  it('turns a damage report into a reship', async () => {
    const { analysis, classification, resolution } = await enrich(
      exception('Box arrived crushed and the lamp is broken'),
    );

    expect(analysis.problems).toEqual([{ code: 'DAMAGE_REPORTED', confidence: 0.85 }]);
    expect(classification).toEqual({
      label: 'DAMAGED_ITEM',
      confidence: 0.85,
      explanation: [{ feature: 'damage-keywords', weight: 0.85 }],
    });
    expect(resolution).toMatchObject({ action: 'RESHIP', automatable: true });
    expect(resolution.rationale).toContain('DAMAGED_ITEM -> RESHIP');
  });

  it('flags an order whose promised date has passed', async () => {
    const { analysis, classification, resolution } = await enrich(
      order({ shipping: { country: 'DE', promised_at: '2025-03-01T00:00:00Z' } }),
    );

    expect(analysis.problems).toEqual([{ code: 'LATE_SHIPMENT', confidence: 0.9 }]);
    expect(classification.label).toBe('DELIVERY_DELAY');
    expect(classification.explanation).toEqual([{ feature: 'promised-at-passed', weight: 0.9 }]);
    expect(resolution).toMatchObject({ action: 'CONTACT_CARRIER', automatable: true });
  });

  it('does not call a delivered order late', async () => {
    const { analysis } = await enrich(
      order({
        status: 'delivered',
        shipping: { country: 'DE', promised_at: '2025-03-01T00:00:00Z' },
      }),
    );

    expect(analysis.problems).toEqual([{ code: 'NONE', confidence: 0.5 }]);
  });

  it('reads address problems and ranks competing rules, strongest first', async () => {
    const { analysis, classification, resolution } = await enrich(
      exception('Delivery is late: house number missing from the address', {
        reported_by: 'carrier',
      }),
    );

    expect(analysis.problems).toEqual([
      { code: 'ADDRESS_INVALID', confidence: 0.85 },
      { code: 'MISSING_ITEM', confidence: 0.8 },
      { code: 'LATE_SHIPMENT', confidence: 0.75 },
    ]);
    expect(classification.label).toBe('ADDRESS_ISSUE');
    expect(classification.explanation).toEqual([
      { feature: 'address-detail-keywords', weight: 0.85 },
      { feature: 'missing-keywords', weight: -0.8 },
      { feature: 'delay-keywords', weight: -0.75 },
      { feature: 'address-keywords', weight: 0.7 },
    ]);
    expect(resolution).toMatchObject({ action: 'VERIFY_ADDRESS', automatable: true });
  });

  it('reports a missing item', async () => {
    const { classification, resolution } = await enrich(
      exception('One of the two mugs was missing, not in the box'),
    );

    expect(classification.label).toBe('MISSING_ITEM');
    expect(resolution).toMatchObject({ action: 'RESHIP', automatable: false });
  });

  it('flags items that sum to more than the total', async () => {
    const { analysis, classification, resolution } = await enrich(order({ total: 5 }));

    expect(analysis.problems).toEqual([{ code: 'PAYMENT_MISMATCH', confidence: 0.5 }]);
    expect(classification.label).toBe('PAYMENT_ISSUE');
    expect(resolution).toMatchObject({ action: 'ESCALATE_HUMAN', automatable: false });
  });

  it('answers NONE and escalates when no rule fires', async () => {
    const { analysis, classification, resolution } = await enrich(
      exception('Customer called about the colour of the wrapping'),
    );

    expect(analysis.problems).toEqual([{ code: 'NONE', confidence: 0.5 }]);
    expect(classification).toEqual({
      label: 'OTHER',
      confidence: 0.5,
      explanation: [{ feature: 'analysis.NONE', weight: 0.5 }],
    });
    expect(resolution).toMatchObject({ action: 'ESCALATE_HUMAN', automatable: false });
  });

  it('matches whole words only', async () => {
    const { analysis } = await enrich(exception('Chocolate plates were delivered as ordered'));

    expect(analysis.problems).toEqual([{ code: 'NONE', confidence: 0.5 }]);
  });

  it('follows an analysis from another provider when no rule backs it', async () => {
    const record = exception('see ticket 42');

    const classification = await rules.classify(record, {
      problems: [{ code: 'STOCKOUT_RISK', confidence: 0.8 }],
    });

    expect(classification).toEqual({
      label: 'INVENTORY_SHORTAGE',
      confidence: 0.8,
      explanation: [{ feature: 'analysis.STOCKOUT_RISK', weight: 0.8 }],
    });
  });

  it('holds an automatable action for review when the label is unsure', async () => {
    const resolution = await rules.resolve(exception('x'), {
      label: 'DAMAGED_ITEM',
      confidence: 0.6,
      explanation: [{ feature: 'analysis.DAMAGE_REPORTED', weight: 0.6 }],
    });

    expect(resolution).toMatchObject({ action: 'RESHIP', automatable: false, confidence: 0.51 });
    expect(resolution.rationale).toContain('held for review');
  });
});
