import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every stage service has this table in its own schema. */
export class CreateStageRecords1763900000000 implements MigrationInterface {
  name = 'CreateStageRecords1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stage_records (
        record_id uuid PRIMARY KEY,
        tenant text NOT NULL,
        status text NOT NULL
          CHECK (status IN ('PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'SKIPPED')),
        retry_count integer NOT NULL DEFAULT 0,
        errors text[] NOT NULL DEFAULT '{}',
        first_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        -- NULL unless the AI answered: a failed call never leaves a default behind.
        output json,
        confidence real,
        skip_reason text,
        provider text,
        model_version text,
        duration_ms real,
        -- Whether this outcome's events reached JetStream. Until then a redelivery rebuilds
        -- them from this row and the message, and publishes them under the same ids.
        published boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      ) WITH (fillfactor = 80)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stage_records`);
  }
}
