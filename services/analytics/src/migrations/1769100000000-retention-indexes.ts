import { createTimeIndexes, dropTimeIndexes, type TimeIndex } from '@refinery/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention (docs/retention.md) finds the active days past it: a day is written once, as its
 * events come in. None of these times is updated, so no update of a row stops being HOT for them.
 * Built by createTimeIndexes (BRIN, CONCURRENTLY), outside a transaction.
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

const INDEXES: TimeIndex[] = [['idx_user_days_day_brin', 'user_days', 'day']];
