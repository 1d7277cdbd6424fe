import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a batch's events reached JetStream is recorded once per batch, not once per row:
 * marking every row published cost a third of the stage's writes. A row names the batch that
 * stored its outcome; it is published when that batch is, or when its batch id was cleared
 * after a later delivery published its events again.
 */
export class PublishedBatches1763900000002 implements MigrationInterface {
  name = 'PublishedBatches1763900000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE published_batches (
        batch_id uuid PRIMARY KEY,
        published_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE stage_records ADD COLUMN batch_id uuid`);
    // Rows not yet published get a batch of their own that is not in published_batches.
    await q.query(`UPDATE stage_records SET batch_id = gen_random_uuid() WHERE NOT published`);
    await q.query(`ALTER TABLE stage_records DROP COLUMN published`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE stage_records ADD COLUMN published boolean NOT NULL DEFAULT true`);
    await q.query(`
      UPDATE stage_records s SET published = false
       WHERE s.batch_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM published_batches p WHERE p.batch_id = s.batch_id)`);
    await q.query(`ALTER TABLE stage_records DROP COLUMN batch_id`);
    await q.query(`DROP TABLE published_batches`);
  }
}
