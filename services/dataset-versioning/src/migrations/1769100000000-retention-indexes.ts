import { createTimeIndexes, dropTimeIndexes, type TimeIndex } from '@refinery/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (docs/retention.md) finds the candidate decisions past it: by completion, or by
 * positive feedback for those whose record never came. Each time is set once: the update setting
 * it is the only one of the row that these indexes keep from being HOT. Built by createTimeIndexes
 * (BRIN, CONCURRENTLY), outside a transaction.
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
  ['idx_decisions_completed_brin', 'decisions', 'completed_at'],
  ['idx_decisions_feedback_brin', 'decisions', 'positive_feedback_at'],
];
