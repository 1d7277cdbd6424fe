import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The quality monitor may drive a FAILED record again: how often it did, and when a request
 * past the limit handed the record to a person instead (once only).
 */
export class AddReprocessing1763900000001 implements MigrationInterface {
  name = 'AddReprocessing1763900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE stage_records
      ADD COLUMN reprocess_count integer NOT NULL DEFAULT 0,
      ADD COLUMN escalated_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE stage_records DROP COLUMN reprocess_count, DROP COLUMN escalated_at`,
    );
  }
}
