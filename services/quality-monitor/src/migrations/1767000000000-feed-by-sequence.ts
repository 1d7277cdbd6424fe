import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The monitor follows the stages' batch reports and keeps where each input is in its stream
 * instead of a copy of it: the record's records.received in RECORDS, and each stage's done
 * event in ENRICHMENT (what the next stage reads). `input` and `report` stay for rows written
 * before, which are driven again from them.
 */
export class FeedBySequence1767000000000 implements MigrationInterface {
  name = 'FeedBySequence1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE record_states ADD COLUMN input_seq bigint`);
    await q.query(
      `ALTER TABLE stage_states ADD COLUMN input_seq bigint, ADD COLUMN output_seq bigint`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE stage_states DROP COLUMN output_seq, DROP COLUMN input_seq`);
    await q.query(`ALTER TABLE record_states DROP COLUMN input_seq`);
  }
}
