import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (docs/retention.md) finds the active days past it: a day is written once, as its
 * events come in.
 * BRIN, not B-tree: a few pages per table and next to nothing per insert, for a time that
 * follows the order rows are added in. None of these times is updated, so no update of a row
 * stops being HOT for them.
 * Built CONCURRENTLY, outside a transaction, so writers go on while it reads the table.
 */
export class RetentionIndexes1769100000000 implements MigrationInterface {
  name = 'RetentionIndexes1769100000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    for (const [index, table, column] of INDEXES) {
      // Left invalid by a build cut short, if there is one: this migration never completed.
      await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
      await q.query(
        `CREATE INDEX CONCURRENTLY ${index} ON ${table} USING brin (${column}) WITH (autosummarize = on)`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [index] of INDEXES) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index}`);
  }
}

/** Each index, its table and its time column. */
const INDEXES = [['idx_user_days_day_brin', 'user_days', 'day']];
