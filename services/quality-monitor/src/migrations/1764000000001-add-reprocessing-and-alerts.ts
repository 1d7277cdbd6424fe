import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the monitor needs to drive a record again (its input and each stage's report), the
 * records handed to a person, per-tenant thresholds, and the alerts as last evaluated.
 */
export class AddReprocessingAndAlerts1764000000001 implements MigrationInterface {
  name = 'AddReprocessingAndAlerts1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE record_states
      ADD COLUMN input jsonb,
      ADD COLUMN reprocess_requests integer NOT NULL DEFAULT 0,
      ADD COLUMN reprocess_requested_at timestamptz`);
    await q.query(`ALTER TABLE stage_states ADD COLUMN report jsonb`);
    await q.query(`
      CREATE TABLE escalations (
        record_id uuid NOT NULL,
        stage text NOT NULL,
        tenant text NOT NULL,
        reason text NOT NULL,
        escalated_at timestamptz NOT NULL,
        PRIMARY KEY (record_id, stage)
      )`);
    await q.query(`CREATE INDEX escalations_tenant ON escalations (tenant)`);
    await q.query(`
      CREATE TABLE tenant_thresholds (
        tenant text NOT NULL,
        check_name text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('warning', 'critical')),
        value real NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, check_name, severity)
      )`);
    await q.query(`
      CREATE TABLE alert_states (
        tenant text NOT NULL,
        alert text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('warning', 'critical')),
        firing boolean NOT NULL,
        value real NOT NULL,
        threshold real NOT NULL,
        since timestamptz NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, alert, severity)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alert_states`);
    await q.query(`DROP TABLE tenant_thresholds`);
    await q.query(`DROP TABLE escalations`);
    await q.query(`ALTER TABLE stage_states DROP COLUMN report`);
    await q.query(`ALTER TABLE record_states
      DROP COLUMN input, DROP COLUMN reprocess_requests, DROP COLUMN reprocess_requested_at`);
  }
}
