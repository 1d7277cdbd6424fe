import { loadSchema } from '../src';
import { baseSchema, generateInMemory, type Table } from './support/in-memory';

type Truth = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** |observed - expected| within z standard errors of a proportion over n trials. */
const withinSE = (observed: number, p: number, n: number, z = 4) =>
  Math.abs(observed - p) <= z * Math.sqrt((p * (1 - p)) / n);

describe('processes on the ecomm schema (100,000 rows)', () => {
  let tables: Record<string, Table>;
  let modifiers: Truth;
  let columns: Truth;
  beforeAll(async () => {
    const run = await generateInMemory(loadSchema('ecomm'), 7, 100_000);
    tables = run.tables;
    modifiers = run.truth.modifiers as Truth;
    columns = run.truth.columns as Truth;
  });

  it('funnel: each step reached with its planted probability, in time order', () => {
    const steps = modifiers['sessions.modifiers[0]'].steps as Truth[];
    const byCustomer = new Map<unknown, Table>();
    for (const e of tables.sessions)
      byCustomer.set(e.customer_id, [...(byCustomer.get(e.customer_id) ?? []), e]);
    steps.forEach((step, k) => {
      expect(tables.sessions.filter((e) => e.step === step.name)).toHaveLength(step.reached);
      if (k > 0)
        expect(withinSE(step.conversion_from_previous, step.planted_p, steps[k - 1].reached)).toBe(
          true,
        );
    });
    // One entry per customer at most (bernoulli fanout): the steps come in order and in time.
    for (const events of [...byCustomer.values()].slice(0, 2000)) {
      expect(events.map((e) => e.step)).toEqual(steps.slice(0, events.length).map((s) => s.name));
      for (let i = 1; i < events.length; i++)
        expect(events[i].at as number).toBeGreaterThanOrEqual(events[i - 1].at as number);
    }
  });

  it('churn: survival follows (1 - hazard)^k and a churned customer orders no more', () => {
    const churn = modifiers['customers.modifiers[1]'];
    const pooled = [0, 0, 0, 0, 0, 0, 0];
    const atRisk = [0, 0, 0, 0, 0, 0, 0];
    for (const cohort of churn.survival_by_cohort as Truth[]) {
      (cohort.survival as number[]).slice(0, 7).forEach((s, k) => {
        pooled[k] += s * cohort.entities;
        atRisk[k] += cohort.entities;
      });
    }
    pooled.forEach((survived, k) => {
      if (atRisk[k] > 500) expect(withinSE(survived / atRisk[k], 0.92 ** k, atRisk[k])).toBe(true);
    });
    const churnedAt = new Map(
      tables.customers.map((c) => [c.customer_id, c.churned_at as number | null]),
    );
    expect([...churnedAt.values()].filter((at) => at !== null).length).toBeGreaterThan(1000);
    for (const order of tables.orders) {
      const at = churnedAt.get(order.customer_id);
      if (at !== null && at !== undefined) expect(order.placed_at as number).toBeLessThan(at);
    }
  });

  it('attribution: removal-effect shares recomputed from the journeys equal the truth', () => {
    const truth = modifiers['touchpoints.modifiers[0]'];
    const contribution = Object.fromEntries(
      Object.entries(truth.channels as Record<string, Truth>).map(([c, v]) => [
        c,
        v.planted_contribution as number,
      ]),
    );
    const journeys = new Map<string, { channels: Set<string>; converted: boolean }>();
    for (const t of tables.touchpoints) {
      const key = `${t.customer_id}/${t.journey}`;
      const j = journeys.get(key) ?? { channels: new Set<string>(), converted: false };
      if (t.kind === 'touch') j.channels.add(t.channel as string);
      else j.converted = true;
      journeys.set(key, j);
    }
    expect(journeys.size).toBe(truth.journeys);
    const p = (set: Set<string>) =>
      Math.min(
        1,
        [...set].reduce((s, c) => s + contribution[c], truth.base_rate),
      );
    const removal: Record<string, number> = {};
    let expected = 0;
    for (const { channels } of journeys.values()) {
      expected += p(channels);
      for (const c of channels)
        removal[c] =
          (removal[c] ?? 0) + p(channels) - p(new Set([...channels].filter((x) => x !== c)));
    }
    const total = Object.values(removal).reduce((a, b) => a + b, 0);
    for (const [c, v] of Object.entries(truth.channels as Record<string, Truth>)) {
      expect(v.removal_effect_share).toBeCloseTo(removal[c] / total, 5);
    }
    const conversions = [...journeys.values()].filter((j) => j.converted).length;
    expect(conversions).toBe(truth.conversions);
    expect(Math.abs(conversions - expected)).toBeLessThan(4 * Math.sqrt(expected));
    // The strongest planted channel carries the largest share.
    const shares = Object.entries(truth.channels as Record<string, Truth>).sort(
      (a, b) => b[1].removal_effect_share - a[1].removal_effect_share,
    );
    expect(shares[0][0]).toBe('paid_search');
  });

  it('experiment: assignment near 1:1 and the observed lift near the planted +10%', () => {
    const truth = modifiers['exposures.modifiers[0]'];
    const arms = truth.variants as Record<string, Truth>;
    const n = arms.control.exposed + arms.treatment.exposed;
    expect(withinSE(arms.treatment.exposed / n, 0.5, n)).toBe(true);
    for (const v of ['control', 'treatment']) {
      const rows = tables.exposures.filter((e) => e.variant === v);
      expect(rows).toHaveLength(arms[v].exposed);
      expect(rows.filter((e) => e.converted === true)).toHaveLength(arms[v].conversions);
      expect(
        withinSE(arms[v].conversion_rate, 0.12 * (v === 'control' ? 1 : 1.1), rows.length),
      ).toBe(true);
    }
    expect(truth.planted_lift.treatment).toBe(0.1);
  });

  it('adoption: sign-ups per month match the Bass curve', () => {
    const truth = modifiers['customers.modifiers[0]'];
    const observed = truth.adopters_per_period as number[];
    const expected = truth.expected_per_period as number[];
    const chi2 = observed.reduce((s, o, k) => s + (o - expected[k]) ** 2 / expected[k], 0);
    // Critical value of chi-square with 11 degrees of freedom at alpha = 0.001.
    expect(chi2).toBeLessThan(31.26);
    // Imitation makes the middle months busier than the first.
    expect(Math.max(...observed)).toBeGreaterThan(observed[0] * 2);
  });

  it('label noise: flips the planted share, and the truth counts every pair', () => {
    const truth = columns['exceptions.label'];
    const flipped = tables.exceptions.filter((e) => e.label !== e.true_label).length;
    expect(flipped).toBe(truth.flipped);
    expect(withinSE(flipped / tables.exceptions.length, 0.08, tables.exceptions.length)).toBe(true);
    const pairs: Record<string, number> = {};
    for (const e of tables.exceptions)
      pairs[`${e.true_label} -> ${e.label}`] = (pairs[`${e.true_label} -> ${e.label}`] ?? 0) + 1;
    expect(truth.confusion).toEqual(pairs);
  });
});

describe('a planted sample-ratio mismatch', () => {
  it('loses the configured share of one variant', async () => {
    const schema = baseSchema({
      users: { kind: 'entity', primary_key: 'id', columns: { id: { gen: 'sequence' } } },
      exposures: {
        kind: 'fact',
        fanout: { distribution: { kind: 'constant', value: 1 } },
        columns: {
          user_id: { gen: 'ref', node: 'users' },
          variant: { gen: 'modifier', type: 'string' },
          converted: { gen: 'modifier', type: 'boolean' },
        },
        modifiers: [
          {
            type: 'experiment',
            name: 'srm',
            variant_column: 'variant',
            converted_column: 'converted',
            variants: { control: 1, treatment: 1 },
            control: 'control',
            baseline_rate: 0.2,
            lift: { treatment: 0 },
            srm: { variant: 'treatment', drop: 0.1 },
          },
        ],
      },
    });
    const { tables, truth } = await generateInMemory(schema, 4, 40_000);
    const treated = tables.exposures.filter((e) => e.variant === 'treatment').length;
    const n = tables.exposures.length;
    // 1 : 0.9 expected after the loss, far from 1 : 1.
    expect(withinSE(treated / n, 0.9 / 1.9, n)).toBe(true);
    expect(withinSE(treated / n, 0.5, n)).toBe(false);
    expect((truth.modifiers as Truth)['exposures.modifiers[0]'].planted_srm).toEqual({
      variant: 'treatment',
      drop: 0.1,
    });
  });
});
