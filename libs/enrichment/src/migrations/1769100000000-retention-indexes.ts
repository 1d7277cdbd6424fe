import { createTimeIndexes, dropTimeIndexes, type TimeIndex } from '@refinery/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (docs/retention.md) finds the rows past it by their time: a stage record by its first
 * attempt (never updated, and the order rows were added in), a batch by its publication. None of
 * these times is updated, so no update of a row stops being HOT for them. Built by
 * createTimeIndexes (BRIN, CONCURRENTLY), outside a transaction.
 */
export class StageRetentionIndexes1769100000000 implements MigrationInterface {
  name = 'StageRetentionIndexes1769100000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await createTimeIndexes(q, INDEXES);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropTimeIndexes(q, INDEXES);
  }
}

const INDEXES: TimeIndex[] = [
  ['stage_records_first_attempt_brin', 'stage_records', 'first_attempt_at'],
  ['published_batches_published_brin', 'published_batches', 'published_at'],
];
