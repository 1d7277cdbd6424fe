import { loadSchema, SchemaError } from '../src';
import { UNIT_MS } from '../src/generate/time';
import { baseSchema, generateInMemory, mean } from './support/in-memory';

const MONTH = UNIT_MS.month;
const segments = {
  gen: 'categorical',
  values: ['premium', 'standard', 'basic', 'trial'],
  weights: [1, 1, 1, 1],
};

/** The design's configuration: premium fanout x5 value x3, basic x0.3 and x0.5; trial not listed. */
const segmentSchema = (behaviors: object) =>
  baseSchema({
    customers: {
      kind: 'entity',
      primary_key: 'id',
      columns: { id: { gen: 'sequence' }, segment: segments },
    },
    orders: {
      kind: 'fact',
      primary_key: 'id',
      fanout: { distribution: { kind: 'poisson', lambda: 2 } },
      columns: {
        id: { gen: 'sequence' },
        customer_id: { gen: 'ref', node: 'customers' },
        amount: { gen: 'lognormal', mu: 3, sigma: 0.5 },
      },
      modifiers: [
        {
          type: 'segment_behavior',
          segment_column: 'segment',
          behaviors,
          applies_to_columns: ['amount'],
        },
      ],
    },
    items: {
      kind: 'fact',
      primary_key: 'id',
      fanout: { distribution: { kind: 'constant', value: 1 } },
      columns: {
        id: { gen: 'sequence' },
        order_id: { gen: 'ref', node: 'orders' },
        price: { gen: 'uniform', min: 10, max: 20 },
      },
      // The segment is the grandparent's: inherited through orders.
      modifiers: [
        {
          type: 'segment_behavior',
          segment_column: 'segment',
          behaviors: { premium: { value_multiplier: 2 } },
          applies_to_columns: ['price'],
        },
      ],
    },
  });

describe('segment_behavior', () => {
  // 200,000 rows: about 12,000 customers, 3,000 per segment, 2,000-30,000 orders per segment.
  let run: Awaited<ReturnType<typeof generateInMemory>>;
  beforeAll(async () => {
    run = await generateInMemory(
      segmentSchema({
        premium: { fanout_multiplier: 5, value_multiplier: 3 },
        standard: { fanout_multiplier: 1, value_multiplier: 1 },
        basic: { fanout_multiplier: 0.3, value_multiplier: 0.5 },
      }),
      5,
      200_000,
    );
  });

  const bySegment = () => {
    const segmentOf = new Map(run.tables.customers.map((c) => [c.id, c.segment as string]));
    const out: Record<string, { customers: number; orders: number; amounts: number[] }> = {};
    for (const c of run.tables.customers)
      (out[c.segment as string] ??= { customers: 0, orders: 0, amounts: [] }).customers++;
    for (const o of run.tables.orders) {
      const s = out[segmentOf.get(o.customer_id) as string];
      s.orders++;
      s.amounts.push(o.amount as number);
    }
    return out;
  };

  it('multiplies values: premium over basic within 5% of 3.0 / 0.5 = 6.0', () => {
    const s = bySegment();
    expect(s.basic.amounts.length).toBeGreaterThan(2_000);
    expect(mean(s.premium.amounts) / mean(s.basic.amounts)).toBeGreaterThan(6 * 0.95);
    expect(mean(s.premium.amounts) / mean(s.basic.amounts)).toBeLessThan(6 * 1.05);
  });

  it('multiplies fanout: orders per customer x5 for premium, x0.3 for basic, x1 where unlisted', () => {
    const s = bySegment();
    const perCustomer = (k: string) => s[k].orders / s[k].customers;
    expect(perCustomer('premium') / perCustomer('standard')).toBeCloseTo(5, 0);
    expect(Math.abs(perCustomer('premium') / perCustomer('standard') - 5)).toBeLessThan(0.25);
    expect(Math.abs(perCustomer('basic') / perCustomer('standard') - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(perCustomer('trial') / perCustomer('standard') - 1)).toBeLessThan(0.06);
    expect(Math.abs(mean(s.trial.amounts) / mean(s.standard.amounts) - 1)).toBeLessThan(0.05);
  });

  it('inherits the segment from an ancestor row', () => {
    const orderSegment = new Map<unknown, string>();
    const segmentOf = new Map(run.tables.customers.map((c) => [c.id, c.segment as string]));
    for (const o of run.tables.orders)
      orderSegment.set(o.id, segmentOf.get(o.customer_id) as string);
    const prices = (segment: string) =>
      run.tables.items
        .filter((i) => orderSegment.get(i.order_id) === segment)
        .map((i) => i.price as number);
    expect(mean(prices('premium')) / mean(prices('standard'))).toBeGreaterThan(1.95);
    expect(mean(prices('premium')) / mean(prices('standard'))).toBeLessThan(2.05);
  });

  it('reports the observed ratios in the truth file, equal to the tables', () => {
    const truth = run.truth.modifiers as Record<
      string,
      { observed: Record<string, { rows: number; parents: number }> }
    >;
    const observed = truth['orders.modifiers[0]'].observed;
    const s = bySegment();
    for (const segment of ['premium', 'standard', 'basic', 'trial']) {
      expect(observed[segment].rows).toBe(s[segment].orders);
      expect(observed[segment].parents).toBe(s[segment].customers);
    }
  });

  it('takes a missing multiplier as 1.0 and rejects an undefined segment', async () => {
    const partial = await generateInMemory(
      segmentSchema({ premium: { value_multiplier: 3 } }),
      5,
      60_000,
    );
    const segmentOf = new Map(partial.tables.customers.map((c) => [c.id, c.segment as string]));
    const count = (k: string) =>
      partial.tables.orders.filter((o) => segmentOf.get(o.customer_id) === k).length;
    expect(Math.abs(count('premium') / count('standard') - 1)).toBeLessThan(0.08);
    const error = await generateInMemory(
      segmentSchema({ gold: { value_multiplier: 2 } }),
      5,
      100,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(SchemaError);
    expect(error.message).toMatch(/gold is not a value of customers.segment/);
  });
});

describe('vintage_behavior', () => {
  const vintageSchema = baseSchema({
    customers: {
      kind: 'entity',
      primary_key: 'id',
      active_from: 'signed_up_at',
      columns: { id: { gen: 'sequence' }, signed_up_at: { gen: 'date' } },
    },
    orders: {
      kind: 'fact',
      primary_key: 'id',
      active_from: 'placed_at',
      fanout: { distribution: { kind: 'poisson', lambda: 2 } },
      columns: {
        id: { gen: 'sequence' },
        customer_id: { gen: 'ref', node: 'customers' },
        placed_at: { gen: 'date' },
        amount: { gen: 'distribution', distribution: { kind: 'constant', value: 100 } },
      },
      modifiers: [
        {
          type: 'vintage_behavior',
          fanout_curve: [1, 0.5, 0.25],
          value_curve: { kind: 'exponential', rate: -0.1 },
          applies_to_columns: ['amount'],
        },
      ],
    },
  });
  let run: Awaited<ReturnType<typeof generateInMemory>>;
  beforeAll(async () => {
    run = await generateInMemory(vintageSchema, 9, 100_000);
  });

  const ages = () => {
    const signup = new Map(run.tables.customers.map((c) => [c.id, c.signed_up_at as number]));
    return run.tables.orders.map((o) => {
      const age = Math.floor(
        ((o.placed_at as number) - (signup.get(o.customer_id) as number)) / MONTH,
      );
      return { age, amount: o.amount as number };
    });
  };

  it('spreads sign-ups over the horizon rather than all at once', () => {
    const months = new Array(12).fill(0);
    for (const c of run.tables.customers)
      months[Math.floor(((c.signed_up_at as number) - Date.parse('2025-01-01')) / MONTH)]++;
    expect(Math.min(...months)).toBeGreaterThan(run.tables.customers.length / 24);
  });

  it('makes rows per parent follow the fanout curve by age, and values the value curve', () => {
    const orders = ages();
    const truth = (
      run.truth.modifiers as Record<
        string,
        { by_age: Array<{ age: number; parents: number; rows: number }> }
      >
    )['orders.modifiers[0]'];
    for (const { age, parents, rows } of truth.by_age.slice(0, 6)) {
      expect(orders.filter((o) => o.age === age)).toHaveLength(rows);
      // Parents alive for a whole period k; the last period of each may be cut by the horizon.
      const expected = 2 * [1, 0.5, 0.25][Math.min(age, 2)];
      expect(rows / parents).toBeGreaterThan(expected * 0.85);
      expect(rows / parents).toBeLessThan(expected * 1.05);
    }
    for (const o of orders.slice(0, 500)) expect(o.amount).toBeCloseTo(100 * 0.9 ** o.age, 9);
  });

  it('gives early adopters more orders than late ones', () => {
    const count = new Map<unknown, number>();
    for (const o of run.tables.orders)
      count.set(o.customer_id, (count.get(o.customer_id) ?? 0) + 1);
    const start = Date.parse('2025-01-01');
    const perCustomer = (from: number, to: number) => {
      const cohort = run.tables.customers.filter(
        (c) =>
          (c.signed_up_at as number) >= start + from * MONTH &&
          (c.signed_up_at as number) < start + to * MONTH,
      );
      return mean(cohort.map((c) => count.get(c.id) ?? 0));
    };
    expect(perCustomer(0, 3)).toBeGreaterThan(perCustomer(9, 12) * 1.5);
  });

  it('shows cohort retention in ecomm falling month by month', async () => {
    const { truth } = await generateInMemory(loadSchema('ecomm'), 7, 50_000);
    const cohorts = (
      truth.retention as { cohorts: Array<{ users: number; retention_by_month: number[] }> }
    ).cohorts;
    const first = cohorts.filter((c) => c.users > 50)[0];
    expect(first.retention_by_month[0]).toBe(1);
    expect(first.retention_by_month[1]).toBeGreaterThan(first.retention_by_month[8]);
  });
});
