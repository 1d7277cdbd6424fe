import { exceptionRecord, orderRecord } from '../records.spec-fixture';
import { generateSeedSet } from '../seed/seed-set';
import { automationFeatures, DECISION_FEATURES, resolutionFeatures } from './decision-features';
import { FeatureSpace } from './feature-space';
import { fingerprint } from './hashing';
import { FEATURE_SPACE_VERSION, recordFeatures, STRUCTURED_FEATURES } from './record-features';
import { tokenize } from './tokenize';

const exception = exceptionRecord;
const order = (payload: Record<string, unknown>) =>
  orderRecord({
    total: 24.99,
    shipping: {
      country: 'DE',
      fee: 4.99,
      address: { line1: 'Main Street 5', postal_code: '10115' },
    },
    ...payload,
  });

describe('tokenize', () => {
  it('keeps negations, drops filler words and buckets numbers by magnitude', () => {
    expect(tokenize('The box had NO damage, stuck for 3 days, then 15 days')).toEqual([
      'box',
      'had',
      'no',
      'damage',
      'stuck',
      '<2-4>',
      'days',
      'then',
      '<10-19>',
      'days',
    ]);
  });

  it('collapses tracking numbers so each code is not a feature of its own', () => {
    expect(tokenize('tracking 1ZAB12CD34EF56GH78 and 00340434161094012345')).toEqual([
      'tracking',
      '<code>',
      '<code>',
    ]);
  });
});

describe('recordFeatures', () => {
  it('names text features as readable unigrams and bigrams', () => {
    const features = recordFeatures(exception({ description: 'Parcel arrived crushed' }));
    expect([...features.keys()]).toEqual(
      expect.arrayContaining(['token:parcel', 'token:arrived crushed', 'record=exception']),
    );
  });

  it('measures lateness as reported against promised', () => {
    const late = recordFeatures(
      exception({ promised_at: '2025-03-01T10:00:00Z', reported_at: '2025-03-13T10:00:00Z' }),
    );
    expect(late.get('days_late')).toBeCloseTo(1.2);
    expect(late.has('late>=12d')).toBe(true);
    const unknown = recordFeatures(exception({ reported_at: '2025-03-13T10:00:00Z' }));
    expect(unknown.has('days_late_unknown')).toBe(true);
    expect(unknown.has('late')).toBe(false);
  });

  it('reads the reporter and what they called the problem', () => {
    const features = recordFeatures(
      exception({ reported_by: 'carrier', reported_kind: 'Wrong Address' }),
    );
    expect(features.has('reported_by=carrier')).toBe(true);
    expect(features.has('reported_kind=wrong_address')).toBe(true);
  });

  it('sees an order total that does not add up, allowing for the shipping fee', () => {
    expect(recordFeatures(order({})).has('total_over_items')).toBe(false);
    const overcharged = recordFeatures(order({ total: 49.98 }));
    expect(overcharged.has('total_over_items')).toBe(true);
    expect(recordFeatures(order({ total: 12 })).has('total_under_items')).toBe(true);
  });

  it('puts order values in EUR buckets whatever the currency', () => {
    const jpy = recordFeatures(
      order({
        currency: 'JPY',
        total: 200_000,
        items: [{ sku: 'S', quantity: 1, unit_price: 200_000 }],
      }),
    );
    expect(jpy.has('value>=1000')).toBe(true);
  });

  it('flags an address without a house number and the order status', () => {
    const features = recordFeatures(
      order({
        status: 'cancelled',
        shipping: { country: 'DE', address: { line1: 'Main Street' } },
      }),
    );
    expect(features.has('address_no_house_number')).toBe(true);
    expect(features.has('address_no_postcode')).toBe(true);
    expect(features.has('status=cancelled')).toBe(true);
  });
});

describe('FeatureSpace', () => {
  it('gives structured features their own column and hashes tokens, keeping the names', () => {
    const space = new FeatureSpace(STRUCTURED_FEATURES, 12);
    const vector = space.encode(recordFeatures(exception({ description: 'box crushed' })));
    const column = vector.indices[vector.names.indexOf('record=exception')];
    expect(space.nameOf(column).name).toBe('record=exception');

    space.observe(vector);
    const token = vector.names.indexOf('token:crushed');
    expect(vector.indices[token]).toBeGreaterThanOrEqual(STRUCTURED_FEATURES.length);
    expect(space.nameOf(vector.indices[token]).name).toBe('token:crushed');
    expect(space.encode(recordFeatures(exception({ description: 'box crushed' })))).toEqual(vector);
  });
});

describe('FEATURE_SPACE_VERSION', () => {
  it('names the features records get: change them and this fails until the version moves', () => {
    const recordSpace = new FeatureSpace(STRUCTURED_FEATURES, 12);
    const decisionSpace = new FeatureSpace(DECISION_FEATURES, 14);
    const encoded = generateSeedSet({ seed: 3, size: 200 }).map(
      ({ record, label, problems, action }) => {
        const features = recordFeatures(record);
        return [
          recordSpace.encode(features),
          decisionSpace.encode(resolutionFeatures(features, label, problems)),
          decisionSpace.encode(automationFeatures(features, label, action)),
        ].map(({ indices, values, names }) => JSON.stringify([[...indices], [...values], names]));
      },
    );
    const digest = fingerprint(encoded.flat());
    expect({ version: FEATURE_SPACE_VERSION, digest }).toEqual({
      version: 'features-1',
      digest: 'e8925248',
    });
  });
});
