import { MigrationInterface, QueryRunner } from 'typeorm';

/** Where every record stands, projected from records.received and the enrichment events. */
export class CreateEnrichmentState1764000000000 implements MigrationInterface {
  name = 'CreateEnrichmentState1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE record_states (
        record_id uuid PRIMARY KEY,
        tenant text NOT NULL,
        record_type text,
        received_at timestamptz,
        completed_at timestamptz,
        latency_ms real,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX record_states_tenant ON record_states (tenant, received_at)`);
    await q.query(`
      CREATE TABLE stage_states (
        record_id uuid NOT NULL,
        stage text NOT NULL,
        tenant text NOT NULL,
        status text NOT NULL
          CHECK (status IN ('PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'SKIPPED')),
        retry_count integer NOT NULL DEFAULT 0,
        last_attempt_at timestamptz,
        errors text[] NOT NULL DEFAULT '{}',
        confidence real,
        duration_ms real,
        -- A final status outranks PENDING; within a rank the later event wins. Replaying
        -- or reordering the events therefore ends in the same row.
        final boolean NOT NULL,
        event_at timestamptz NOT NULL,
        PRIMARY KEY (record_id, stage)
      )`);
    await q.query(`CREATE INDEX stage_states_tenant ON stage_states (tenant, stage, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stage_states`);
    await q.query(`DROP TABLE record_states`);
  }
}
