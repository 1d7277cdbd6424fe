import { escapeIdentifier as ident } from 'pg';
import type { Query } from '../read-only/read-only-database';
import { round } from '../shared/values';
import type { TableInfo } from '../read-only/catalog.repository';

export interface ColumnCompleteness {
  column: string;
  type: string;
  non_null: number;
  null: number;
  /** Non-null share, 0 to 1; null for an empty table. */
  completeness: number | null;
}

/** The non-null share of every column, in one pass over the table. */
export async function completenessOf(query: Query, table: TableInfo) {
  const columns = [...table.columns];
  const counts = columns.map(([name], i) => `, count(${ident(name)}) AS n${i}`).join('');
  const [row] = await query<Record<string, string>>(
    `SELECT count(*) AS total${counts} FROM ${table.sql}`,
  );
  const rows = Number(row.total);
  return {
    table: table.name,
    rows,
    columns: columns.map(([column, type], i): ColumnCompleteness => {
      const nonNull = Number(row[`n${i}`]);
      return {
        column,
        type,
        non_null: nonNull,
        null: rows - nonNull,
        completeness: rows === 0 ? null : round(nonNull / rows),
      };
    }),
  };
}
