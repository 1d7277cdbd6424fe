import { createTimeIndexes, dropTimeIndexes, type TimeIndex } from '@refinery/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (docs/retention.md) finds the rows past it by their time: interactions and model
 * explanations are written once per record, in the order records complete. None of these times is
 * updated, so no update of a row stops being HOT for them. Built by createTimeIndexes (BRIN,
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
  ['idx_interactions_created_brin', 'interactions', 'created_at'],
  ['idx_explanations_generated_brin', 'model_explanations', 'generated_at'],
];
