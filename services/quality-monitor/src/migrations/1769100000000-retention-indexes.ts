import { createTimeIndexes, dropTimeIndexes, type TimeIndex } from '@refinery/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (docs/retention.md) finds the rows past it by their time: a record by its receipt (the
 * order rows are added in; its completion is left unindexed, so completing stays HOT), a streamed
 * violation by its detection. Neither time is updated (a receipt is at most filled in once, when a
 * stage's report came first), so updates of these rows stay HOT. Built by createTimeIndexes (BRIN,
 * CONCURRENTLY), outside a transaction.
 */
export class RetentionIndexes1769100000000 implements MigrationInterface {
  name = 'RetentionIndexes1769100000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await createTimeIndexes(q, INDEXES);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropTimeIndexes(q, INDEXES);
  }
}

const INDEXES: TimeIndex[] = [
  ['record_states_received_brin', 'record_states', 'received_at'],
  ['stream_violations_detected_brin', 'stream_violations', 'detected_at'],
];
