import type { QueryRunner } from 'typeorm';

/** A BRIN index retention finds old rows by: its name, its table and the table's time column. */
export type TimeIndex = readonly [index: string, table: string, column: string];

/**
 * Creates the indexes retention reads a table's time by. BRIN, not B-tree: a few pages per
 * table and next to nothing per insert, for a time that follows the order rows are added in.
 * Built CONCURRENTLY, so writers go on while it reads the table: the migration must run
 * outside a transaction (`transaction = false`).
 */
export async function createTimeIndexes(q: QueryRunner, indexes: readonly TimeIndex[]) {
  for (const [index, table, column] of indexes) {
    // Left invalid by a build cut short, if there is one: the migration never completed.
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
    await q.query(
      `CREATE INDEX CONCURRENTLY ${index} ON ${table} USING brin (${column}) WITH (autosummarize = on)`,
    );
  }
}

export async function dropTimeIndexes(q: QueryRunner, indexes: readonly TimeIndex[]) {
  for (const [index] of indexes) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
}
