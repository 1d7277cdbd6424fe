import { RuleSchema } from '../rules/rule-definition';
import { failingValues, valuesAt } from './payload-checks';

const order = {
  order_number: 'EU-1',
  customer: { id: 'c1', email: 'Ann@Example' },
  items: [
    { sku: 'A', quantity: 2, unit_price: 5 },
    { sku: 'B', quantity: 0, unit_price: 7 },
  ],
  currency: 'EUR',
  total: 24,
  status: 'placed',
};

const rule = (fields: Record<string, unknown>) =>
  RuleSchema.parse({ name: 'r', table: 'payload', record_type: 'order', ...fields });

describe('payload checks', () => {
  it('reads nested fields and every item of a list', () => {
    expect(valuesAt(order, 'customer.email')).toEqual(['Ann@Example']);
    expect(valuesAt(order, 'items[].quantity')).toEqual([2, 0]);
    expect(valuesAt(order, 'items.1.sku')).toEqual(['B']);
    expect(valuesAt(order, 'shipping.country')).toEqual([undefined]);
  });

  it('returns the values that break each row-level rule, and none when the record passes', () => {
    expect(failingValues(rule({ type: 'not_null', column: 'shipping.country' }), order)).toEqual([
      null,
    ]);
    expect(failingValues(rule({ type: 'not_null', column: 'customer.id' }), order)).toEqual([]);
    expect(
      failingValues(rule({ type: 'range', column: 'items[].quantity', min: 1 }), order),
    ).toEqual([0]);
    expect(
      failingValues(
        rule({ type: 'regex', column: 'customer.email', pattern: '^\\S+@\\S+\\.\\S+$' }),
        order,
      ),
    ).toEqual(['Ann@Example']);
    expect(
      failingValues(
        rule({ type: 'accepted_values', column: 'currency', values: ['EUR', 'USD'] }),
        order,
      ),
    ).toEqual([]);
    // A string where a number belongs is out of any numeric range.
    expect(failingValues(rule({ type: 'range', column: 'order_number', max: 10 }), order)).toEqual([
      'EU-1',
    ]);
  });

  it('refuses set-level types and a missing record type on the payload', () => {
    const result = RuleSchema.safeParse({
      name: 'r',
      table: 'payload',
      type: 'unique',
      column: 'order_number',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'record_type',
      'type',
    ]);
  });
});
