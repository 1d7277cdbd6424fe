import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (docs/retention.md) finds the rows past it by their time: a record by its receipt
 * (the order rows are added in; its completion is left unindexed, so completing stays HOT),
 * a streamed violation by its detection.
 * BRIN, not B-tree: a few pages per table and next to nothing per insert, for a time that
 * follows the order rows are added in. Neither time is updated (a receipt is at most filled in
 * once, when a stage's report came first), so updates of these rows stay HOT.
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
const INDEXES = [
  ['record_states_received_brin', 'record_states', 'received_at'],
  ['stream_violations_detected_brin', 'stream_violations', 'detected_at'],
];
