import { MigrationInterface, QueryRunner } from 'typeorm';

/** The rules engine: rules, their runs and results, and violations found in streamed records. */
export class CreateValidationRules1764100000000 implements MigrationInterface {
  name = 'CreateValidationRules1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE validation_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        type text NOT NULL CHECK (type IN ('not_null', 'range', 'regex', 'accepted_values',
                                           'unique', 'foreign_key', 'custom_sql')),
        severity text NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
        enabled boolean NOT NULL,
        -- schema.table, 'payload' for incoming records, or NULL for custom SQL across tables
        target text,
        record_type text,
        -- The whole rule as validated; the columns above are copies for filtering.
        definition jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX validation_rules_payload ON validation_rules (record_type) WHERE target = 'payload'`,
    );
    await q.query(`
      CREATE TABLE rule_runs (
        id uuid PRIMARY KEY,
        trigger text NOT NULL CHECK (trigger IN ('schedule', 'api')),
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL,
        success boolean NOT NULL,
        statistics jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX rule_runs_started ON rule_runs (started_at DESC)`);
    await q.query(`
      CREATE TABLE rule_results (
        run_id uuid NOT NULL REFERENCES rule_runs ON DELETE CASCADE,
        position integer NOT NULL,
        -- No foreign key: a run's results stay readable after the rule is deleted.
        rule_id uuid NOT NULL,
        success boolean NOT NULL,
        judged_count bigint,
        unexpected_count bigint,
        body jsonb NOT NULL,
        evaluated_at timestamptz NOT NULL,
        PRIMARY KEY (run_id, position)
      )`);
    await q.query(`CREATE INDEX rule_results_latest ON rule_results (rule_id, evaluated_at DESC)`);
    // One row: replicas claim a scheduled run by moving it forward, so only one of them runs.
    await q.query(`
      CREATE TABLE rule_schedule (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        last_started_at timestamptz NOT NULL
      )`);
    await q.query(`INSERT INTO rule_schedule (last_started_at) VALUES ('-infinity')`);
    await q.query(`
      CREATE TABLE stream_violations (
        id bigserial PRIMARY KEY,
        rule_id uuid NOT NULL,
        rule_name text NOT NULL,
        severity text NOT NULL,
        dimension text NOT NULL,
        tenant text NOT NULL,
        record_id uuid NOT NULL,
        record_type text NOT NULL,
        field text NOT NULL,
        failing_values jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        -- A redelivered record is judged again but recorded (and counted) once.
        UNIQUE (rule_id, record_id)
      )`);
    await q.query(
      `CREATE INDEX stream_violations_tenant ON stream_violations (tenant, detected_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stream_violations`);
    await q.query(`DROP TABLE rule_schedule`);
    await q.query(`DROP TABLE rule_results`);
    await q.query(`DROP TABLE rule_runs`);
    await q.query(`DROP TABLE validation_rules`);
  }
}
