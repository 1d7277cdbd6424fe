import type { Query } from '../read-only/read-only-database';
import { UNEXPECTED_IDS_SIZE } from './rule-result';
import type { TableCheck } from './table-rule-sql';

export type FailingRow = { id: string | null; value: unknown };

/** Rows looked at, rows without a value, failing rows of a built-in check. */
export async function tableCounts(query: Query, check: TableCheck) {
  const { table, column, condition, params } = check;
  const [counts] = await query<Record<string, string>>(
    `SELECT count(*) AS element_count, count(*) FILTER (WHERE ${column} IS NULL) AS missing_count,
            count(*) FILTER (WHERE ${condition}) AS unexpected_count
       FROM ${table.sql} AS t`,
    params,
  );
  return {
    element_count: Number(counts.element_count),
    missing_count: Number(counts.missing_count),
    unexpected_count: Number(counts.unexpected_count),
  };
}

/** The first failing rows of a built-in check, by id (or value). */
export function tableFailing(query: Query, check: TableCheck): Promise<FailingRow[]> {
  const { table, column, id, order, condition, params } = check;
  return query<FailingRow>(
    `SELECT ${id} AS id, to_jsonb(${column}) AS value FROM ${table.sql} AS t
      WHERE ${condition} ORDER BY ${order} LIMIT ${UNEXPECTED_IDS_SIZE}`,
    params,
  );
}

/** The first rows a custom_sql rule returns, and how many it returns in all. */
export async function customFailing(query: Query, sql: string) {
  const rows = await query<{ row: Record<string, unknown>; total: string }>(
    `SELECT to_jsonb(failing) AS row, count(*) OVER () AS total
       FROM (\n${sql}\n) AS failing LIMIT ${UNEXPECTED_IDS_SIZE}`,
  );
  return { rows: rows.map((r) => r.row), total: rows.length === 0 ? 0 : Number(rows[0].total) };
}

/** How many rows a built-in check fails, as a statement to plan. */
export const failingCount = ({ table, condition }: TableCheck) =>
  `SELECT count(*) FROM ${table.sql} AS t WHERE ${condition}`;

/** The failing rows of a custom_sql rule, as a relation to plan. */
export const customRelation = (sql: string) => `SELECT * FROM (\n${sql}\n) AS failing`;

/** Compiles a regex pattern the way the check will use it. */
export async function tryPattern(query: Query, pattern: string): Promise<void> {
  await query(`SELECT '' ~ $1`, [pattern]);
}
