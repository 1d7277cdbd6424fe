import { type DatagenSchema, generate, parseSchema, type RowContext } from '../../src';

export type Table = Array<Record<string, unknown>>;

/** A run kept in memory: each node's rows as objects, the truth and the quality report. */
export async function generateInMemory(schema: DatagenSchema | object, seed: number, rows: number) {
  const parsed = parseSchema(schema);
  const tables: Record<string, Table> = {};
  const result = await generate({
    schema: parsed,
    seed,
    rows,
    listeners: [
      {
        onRow(row: RowContext) {
          const object: Record<string, unknown> = {};
          for (const column of row.node.columns) object[column.name] = row.values[column.index];
          (tables[row.node.name] ??= []).push(object);
        },
      },
    ],
  });
  return { tables, ...result };
}

export const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** A minimal valid schema to build test cases from. */
export function baseSchema(nodes: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    name: 'test',
    horizon: { start: '2025-01-01T00:00:00Z', end: '2026-01-01T00:00:00Z', period: 'month' },
    nodes,
    ...extra,
  };
}
