import { AI_LABELS, AiProviderError, type RecordInput } from '../provider';
import { enrichWith } from '../records.spec-fixture';
import { generateSeedSet } from '../seed/seed-set';
import { createLocalProvider, type LocalProvider } from './local-provider';

function exception(description: string, fields: Record<string, unknown> = {}): RecordInput {
  return {
    recordId: 'r-exception',
    tenant: 'acme',
    recordType: 'exception',
    payload: { order_number: 'A-1', description, reported_at: '2025-05-10T10:00:00Z', ...fields },
  };
}

function order(fields: Record<string, unknown> = {}): RecordInput {
  return {
    recordId: 'r-order',
    tenant: 'acme',
    recordType: 'order',
    payload: {
      order_number: 'A-2',
      customer: { id: 'c-1', email: 'ana@example.com' },
      items: [{ sku: 'LMP-100', name: 'Desk lamp', quantity: 1, unit_price: 39 }],
      currency: 'EUR',
      total: 43.99,
      status: 'paid',
      placed_at: '2025-05-01T10:00:00Z',
      shipping: {
        country: 'DE',
        carrier: 'DHL',
        fee: 4.99,
        promised_at: '2025-05-05T10:00:00Z',
        address: { line1: 'Hauptstraße 5', postal_code: '10115', city: 'Berlin' },
      },
      updated_at: '2025-05-02T10:00:00Z',
      ...fields,
    },
  };
}

describe('LocalProvider', () => {
  let provider: LocalProvider;
  beforeAll(() => {
    provider = createLocalProvider();
  });

  const run = (record: RecordInput) => enrichWith(provider, record);

  it('names itself and the training data it learned from', () => {
    expect(provider.name).toBe('local');
    expect(provider.version).toMatch(/^local-lr-1\+seed[0-9a-f]{8}$/);
  });

  it('trains once per process and reuses the model', () => {
    expect(createLocalProvider().trained).toBe(provider.trained);
  });

  it.each([
    [
      exception('Parcel arrived crushed, item broken', { reported_by: 'customer' }),
      'DAMAGE_REPORTED',
      'DAMAGED_ITEM',
      'RESHIP',
    ],
    [
      exception('Address incomplete, no house number', { reported_by: 'carrier' }),
      'ADDRESS_INVALID',
      'ADDRESS_ISSUE',
      'VERIFY_ADDRESS',
    ],
    [
      exception('Tracking says delivered but the customer never received it', {
        reported_by: 'customer',
      }),
      'MISSING_ITEM',
      'MISSING_ITEM',
      'CONTACT_CARRIER',
    ],
    [
      exception('Driver could not find the building, street number missing', {
        reported_by: 'carrier',
      }),
      'ADDRESS_INVALID',
      'ADDRESS_ISSUE',
      'VERIFY_ADDRESS',
    ],
    [
      exception('Warehouse is out of stock for this lamp', { reported_by: 'warehouse' }),
      'STOCKOUT_RISK',
      'INVENTORY_SHORTAGE',
      'RESTOCK_ALERT',
    ],
    [
      exception('Screen cracked on arrival, customer wants a refund', { reported_by: 'customer' }),
      'DAMAGE_REPORTED',
      'DAMAGED_ITEM',
      'REFUND',
    ],
    [
      exception('No tracking update for 6 days', {
        reported_by: 'system',
        promised_at: '2025-05-04T10:00:00Z',
      }),
      'LATE_SHIPMENT',
      'DELIVERY_DELAY',
      'CONTACT_CARRIER',
    ],
    [order({ total: 87.98 }), 'PAYMENT_MISMATCH', 'PAYMENT_ISSUE', 'REFUND'],
    [
      order({ items: [{ sku: 'LMP-100', quantity: 40, unit_price: 39 }], total: 1564.99 }),
      'STOCKOUT_RISK',
      'INVENTORY_SHORTAGE',
      'RESTOCK_ALERT',
    ],
    [
      order({ status: 'shipped', updated_at: '2025-05-09T10:00:00Z' }),
      'LATE_SHIPMENT',
      'DELIVERY_DELAY',
      'CONTACT_CARRIER',
    ],
    [
      order({ notes: 'Please cancel this order' }),
      'CUSTOMER_REQUEST',
      'CUSTOMER_REQUEST',
      'REFUND',
    ],
  ])('gets the obvious case right: %#', async (record, problem, label, action) => {
    const { analysis, classification, resolution } = await run(record);
    expect(analysis.problems[0].code).toBe(problem);
    expect(classification.label).toBe(label);
    expect(resolution.action).toBe(action);
  });

  it('finds nothing wrong with a clean order and says how sure it is', async () => {
    const clean = order({
      status: 'delivered',
      updated_at: undefined,
      delivered_at: '2025-05-04T10:00:00Z',
    });
    const { analysis, classification } = await run(clean);
    expect(analysis.problems).toEqual([{ code: 'NONE', confidence: expect.any(Number) }]);
    expect(analysis.problems[0].confidence).toBeGreaterThan(0.8);
    expect(classification.label).toBe('OTHER');
  });

  it('explains a label with readable features, strongest first, led by one that favours it', async () => {
    const record = exception('Parcel arrived crushed, item broken', { reported_by: 'customer' });
    const { explanation, label } = await provider.classify(record, await provider.analyze(record));
    expect(explanation).toHaveLength(5);
    expect(explanation.map((c) => c.feature)).toContain('token:broken');
    for (const { feature } of explanation)
      expect(feature).toMatch(/^(token:.+|[a-z_]+([=<>].+)?)$/);
    const sizes = explanation.map((c) => Math.abs(c.weight));
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));

    // Taking the top feature away must lower the probability of the label it explained.
    const model = provider.trained.model;
    const features = model.features(record);
    const before = model.classify(features).probabilities;
    const without = new Map(features);
    without.delete(explanation[0].feature);
    const after = model.classify(without).probabilities;
    const at = AI_LABELS.indexOf(label);
    expect(explanation[0].weight).toBeGreaterThan(0);
    expect(after[at]).toBeLessThan(before[at]);
  });

  it('gives a rationale naming the action and what drove it', async () => {
    const { resolution } = await run(order({ total: 87.98 }));
    expect(resolution.rationale).toMatch(/^REFUND \(\d+% confident\), mainly because of .+\.$/);
    expect(resolution.rationale).toContain('a total above the items and shipping');
  });

  it('answers with confidences in [0, 1] and automates only confident, non-escalated actions', async () => {
    for (const { record } of generateSeedSet({ seed: 5, size: 150 })) {
      const { analysis, classification, resolution } = await run(record);
      const confidences = [
        ...analysis.problems.map((p) => p.confidence),
        classification.confidence,
        resolution.confidence,
      ];
      for (const c of confidences) {
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(1);
      }
      if (resolution.automatable) {
        expect(resolution.action).not.toBe('ESCALATE_HUMAN');
        expect(resolution.confidence).toBeGreaterThanOrEqual(0.6);
      }
    }
  });

  it('refuses records it cannot read rather than guessing', async () => {
    const broken = { ...exception('x'), payload: { order_number: 'A-1' } };
    await expect(provider.analyze(broken)).rejects.toThrow(AiProviderError);
    const unknown = { ...exception('x'), recordType: 'invoice' } as unknown as RecordInput;
    await expect(provider.classify(unknown, { problems: [] })).rejects.toThrow(AiProviderError);
  });

  it('refuses to resolve a label outside the vocabulary', async () => {
    const record = exception('Parcel arrived crushed', { reported_by: 'customer' });
    const classification = { label: 'BROKEN' as 'OTHER', confidence: 0.9, explanation: [] };
    await expect(provider.resolve(record, classification)).rejects.toThrow(AiProviderError);
  });
});
