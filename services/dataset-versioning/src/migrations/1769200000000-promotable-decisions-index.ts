import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `DecisionsRepository.promotable` runs on every batch of feedback and completed records: without
 * an index it read the whole `decisions` table each time (in a 30-minute soak, 22,000 scans and
 * 3 billion rows read, its cost growing with the table). A partial index holds only the rows
 * waiting for promotion, in the order they are taken, so the query reads just those.
 */
export class PromotableDecisionsIndex1769200000000 implements MigrationInterface {
  name = 'PromotableDecisionsIndex1769200000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    // Left invalid by a build cut short, if there is one: this migration never completed.
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS idx_decisions_promotable`);
    await q.query(
      `CREATE INDEX CONCURRENTLY idx_decisions_promotable ON decisions (positive_feedback_at)
        WHERE promoted_at IS NULL AND positive_feedback_at IS NOT NULL AND outputs IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS idx_decisions_promotable`);
  }
}
