import { escapeIdentifier as ident } from 'pg';
import { isOffLimits, offLimits, offLimitsRelationIn } from './off-limits';
import type { Query } from './read-only-database';

export interface TableInfo {
  /** `schema.table` as the user wrote it. */
  name: string;
  /** Quoted for SQL. */
  sql: string;
  oid: number;
  schemaOid: number;
  /** Column name to its type, as Postgres writes it (`character varying(200)`). */
  columns: Map<string, string>;
  primaryKey?: string;
}

/**
 * A table as the read-only role sees it: one it may not read does not exist here, and one
 * in a schema off limits is refused (403). Names are looked up as values, never put into
 * SQL, so a name can only match a real table.
 */
export async function describeTable(
  query: Query,
  schema: string,
  table: string,
): Promise<TableInfo | undefined> {
  if (isOffLimits(schema)) throw offLimits(schema, table);
  const rows = await query<{
    oid: number;
    schema_oid: number;
    column: string;
    type: string;
    pk: boolean;
  }>(
    `SELECT c.oid::int AS oid, n.oid::int AS schema_oid, a.attname AS column,
            format_type(a.atttypid, a.atttypmod) AS type,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary
                      AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum) AS pk
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
      ORDER BY a.attnum`,
    [schema, table],
  );
  if (rows.length === 0) return undefined;
  return {
    name: `${schema}.${table}`,
    sql: `${ident(schema)}.${ident(table)}`,
    oid: rows[0].oid,
    schemaOid: rows[0].schema_oid,
    columns: new Map(rows.map((r) => [r.column, r.type])),
    primaryKey: rows.find((r) => r.pk)?.column,
  };
}

export const unknownTable = (name: string, role: string) =>
  `table ${name} does not exist, or ${role} may not read it`;

export const unknownColumn = (table: TableInfo, column: string) =>
  `table ${table.name} has no column ${column}`;

const TEXT = /^(text|character varying|character|citext|varchar|char)\b/;
const NUMBER = /^(smallint|integer|bigint|numeric|real|double precision|decimal)\b/;
export const isText = (type: string) => TEXT.test(type);
export const isNumber = (type: string) => NUMBER.test(type);

/** The plan of `sql` (EXPLAIN (VERBOSE, FORMAT JSON)), views expanded. */
export async function planOf(query: Query, sql: string, params: unknown[] = []): Promise<unknown> {
  const [row] = await query<{ 'QUERY PLAN': unknown }>(
    `EXPLAIN (VERBOSE, FORMAT JSON) ${sql}`,
    params,
  );
  return row?.['QUERY PLAN'];
}

/** Refuses (403) a read whose plan touches a relation off limits, as a view over one would. */
async function refuseOffLimitsPlan(query: Query, sql: string, path?: string) {
  const read = offLimitsRelationIn(await planOf(query, sql));
  if (read) throw offLimits(read.schema, read.relation, path);
}

/** Refuses (403) a table that is, or reads through a view, a relation off limits. */
export const refuseOffLimitsTable = (query: Query, table: TableInfo) =>
  refuseOffLimitsPlan(query, `SELECT * FROM ${table.sql}`, 'table');

export async function countRows(query: Query, table: TableInfo): Promise<number> {
  const [row] = await query<{ n: string }>(`SELECT count(*) AS n FROM ${table.sql}`);
  return Number(row.n);
}
