import { compilePlan } from '../generate/plan';
import type { CompiledNode, RowContext } from '../generate/model';
import { parseSchema } from '../schema';
import { Validator } from './validator';

const plan = compilePlan(
  parseSchema({
    name: 'shop',
    horizon: { start: '2025-01-01T00:00:00Z', end: '2026-01-01T00:00:00Z' },
    nodes: {
      customers: {
        kind: 'entity',
        primary_key: 'id',
        columns: {
          id: { gen: 'sequence', prefix: 'C' },
          tier: { gen: 'categorical', values: ['gold', 'basic'] },
          joined: { gen: 'date' },
        },
      },
      orders: {
        kind: 'fact',
        primary_key: 'id',
        fanout: { distribution: { kind: 'poisson', lambda: 1 } },
        columns: {
          id: { gen: 'sequence' },
          customer_id: { gen: 'ref', node: 'customers' },
          amount: { gen: 'uniform', min: 1, max: 10, clamp: [1, 10] },
        },
      },
    },
  }),
  1,
);
const [customers, orders] = ['customers', 'orders'].map(
  (n) => plan.nodes.find((node) => node.name === n) as CompiledNode,
);
const row = (node: CompiledNode, index: number, values: unknown[]): RowContext => ({
  node,
  index,
  values,
  parent: undefined,
  slot: plan.horizon,
  window: plan.horizon,
  age: 0,
  children: undefined,
});
const JUNE = Date.parse('2025-06-01T00:00:00Z');

function check(rows: RowContext[]) {
  const validator = new Validator(plan);
  for (const r of rows) {
    validator.onKey(r);
    validator.onRow(r);
  }
  return validator.report();
}

describe('Validator', () => {
  it('scores clean rows 100', () => {
    const report = check([row(customers, 0, ['C1', 'gold', JUNE]), row(orders, 0, [1, 'C1', 5])]);
    expect(report).toMatchObject({ score: 100, violations: 0 });
    expect(report.checks).toBe(2 + 3 + 4 + 3);
  });

  it('finds each kind of planted problem and names the row', () => {
    const report = check([
      row(customers, 0, ['C1', 'gold', JUNE]),
      row(customers, 1, ['C1', 'silver', Date.parse('2027-01-01')]),
      row(customers, 2, ['C3', null, JUNE]),
      row(orders, 0, [1, 'C9', 5]),
      row(orders, 1, [2, 'C1', 11]),
      row(orders, 2, [3.5, 'C1', 'ten']),
    ]);
    expect(report.nodes.customers.violations).toEqual({
      duplicate_key: 1,
      not_a_category: 1,
      outside_horizon: 1,
      null: 1,
    });
    expect(report.nodes.orders.violations).toEqual({
      dangling_reference: 1,
      out_of_bounds: 2,
      not_an_integer: 1,
      not_a_number: 1,
    });
    expect(report.nodes.orders.examples[0]).toBe('row 0: customer_id = "C9" (dangling_reference)');
    expect(report.violations).toBe(9);
    expect(report.score).toBeLessThan(100);
  });
});
