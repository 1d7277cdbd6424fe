import { loadSchema, SchemaError } from '../src';
import { UNIT_MS } from '../src/generate/time';
import { baseSchema, generateInMemory, mean } from './support/in-memory';

const START = Date.parse('2025-01-01T00:00:00Z');

/** 300 rows of a constant 100 under one trend; each row's value against the formula at its time. */
async function trended(trend: Record<string, unknown>) {
  const schema = baseSchema({
    points: {
      kind: 'entity',
      columns: {
        at: { gen: 'date' },
        value: {
          gen: 'distribution',
          distribution: { kind: 'constant', value: 100 },
          modifiers: [{ type: 'trend', time_column: 'at', ...trend }],
        },
      },
    },
  });
  const { tables } = await generateInMemory(schema, 3, 300);
  return tables.points.map((row) => ({ at: row.at as number, value: row.value as number }));
}

const tOf = (at: number, unit: keyof typeof UNIT_MS) => (at - START) / UNIT_MS[unit];

describe('trend modifier', () => {
  it.each([
    [0.08, 'month'],
    [0.2, 'month'],
    [0.5, 'year'],
    [1, 'year'],
    [0.01, 'day'],
    [0.03, 'week'],
    [0, 'month'],
    [-0.05, 'month'],
  ] as const)('exponential at rate %s per %s: v·(1+r)^t', async (rate, unit) => {
    const rows = await trended({ kind: 'exponential', rate, unit });
    for (const { at, value } of rows)
      expect(value).toBeCloseTo(100 * (1 + rate) ** tOf(at, unit), 9);
    if (rate !== 0) {
      const early = rows.filter((r) => tOf(r.at, 'month') < 1).map((r) => r.value);
      const late = rows.filter((r) => tOf(r.at, 'month') > 11).map((r) => r.value);
      expect(Math.sign(mean(late) - mean(early))).toBe(Math.sign(rate));
    }
  });

  it('linear: v·(1+r·t)', async () => {
    const rows = await trended({ kind: 'linear', rate: 0.1, unit: 'month' });
    for (const { at, value } of rows)
      expect(value).toBeCloseTo(100 * (1 + 0.1 * tOf(at, 'month')), 9);
  });

  it('logarithmic: v·(1+r·ln(1+t)), each month adding less than the one before', async () => {
    const rows = await trended({ kind: 'logarithmic', rate: 0.5, unit: 'month' });
    for (const { at, value } of rows)
      expect(value).toBeCloseTo(100 * (1 + 0.5 * Math.log1p(tOf(at, 'month'))), 9);
    const gain = (t: number) => 100 * 0.5 * (Math.log1p(t + 1) - Math.log1p(t));
    // Diminishing returns in the generated values: the fitted monthly gain falls.
    const byMonth = Array.from({ length: 12 }, (_, m) =>
      mean(rows.filter((r) => Math.floor(tOf(r.at, 'month')) === m).map((r) => r.value)),
    );
    expect(byMonth[1] - byMonth[0]).toBeGreaterThan(byMonth[11] - byMonth[10]);
    expect(gain(0)).toBeGreaterThan(gain(10));
  });

  it('negative growth decays: -10% a month leaves 0.9^12 of the value after a year', async () => {
    const rows = await trended({ kind: 'exponential', rate: -0.1, unit: 'month' });
    const last = rows.reduce((a, b) => (b.at > a.at ? b : a));
    expect(last.value).toBeLessThan(100 * 0.9 ** 11.5);
    expect(Math.min(...rows.map((r) => r.value))).toBeGreaterThan(100 * 0.9 ** 12.2);
  });

  it('grows the ecomm order values by the configured 8% a month', async () => {
    const { tables } = await generateInMemory(loadSchema('ecomm'), 11, 60_000);
    const placed = new Map(tables.orders.map((o) => [o.order_number, o.placed_at as number]));
    const byMonth: number[][] = Array.from({ length: 12 }, () => []);
    for (const item of tables.order_items) {
      const month = Math.floor(tOf(placed.get(item.order_number) as number, 'month'));
      byMonth[month].push(Math.log(item.unit_price as number));
    }
    // Least squares slope of mean log price on month: ln(1.08) ≈ 0.077 per month.
    const ys = byMonth.map(mean);
    const xs = ys.map((_, i) => i + 0.5);
    const mx = mean(xs);
    const my = mean(ys);
    const slope =
      xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) /
      xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    expect(slope).toBeGreaterThan(Math.log(1.08) - 0.015);
    expect(slope).toBeLessThan(Math.log(1.08) + 0.015);
  });

  it.each([
    [{ kind: 'exponential', rate: -1 }, /exponential rate must be > -1/],
    [
      { kind: 'linear', rate: -0.2 },
      /linear rate of -0.2 turns values negative before the horizon ends/,
    ],
    [{ kind: 'logarithmic', rate: -0.5 }, /logarithmic rate of -0.5 turns values negative/],
  ])('rejects %j with a clear error naming the column', async (trend, message) => {
    const error = await trended(trend).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).errors[0].path).toBe('nodes.points.columns.value');
    expect((error as SchemaError).errors[0].message).toMatch(message);
  });

  it('rejects an unknown kind and a missing time column', async () => {
    const kind = await trended({ kind: 'quadratic', rate: 0.1 }).catch((e: unknown) => e);
    expect((kind as SchemaError).errors[0].path).toMatch(
      /^nodes\.points\.columns\.value\.modifiers\[0\]/,
    );
    const time = await trended({ kind: 'linear', rate: 0.1, time_column: 'when' }).catch(
      (e: unknown) => e,
    );
    expect((time as SchemaError).message).toMatch(/cannot read when/);
  });
});
