import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIngestionTables1763800000000 implements MigrationInterface {
  name = 'CreateIngestionTables1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE,
        name text NOT NULL,
        rate_limit_per_s integer CHECK (rate_limit_per_s > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        key_hash text NOT NULL UNIQUE,
        label text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    // The id is a UUID v5 of (tenant_id, source, external_id), so the primary key is also
    // the natural key's uniqueness: a second unique index would only slow every insert.
    await q.query(`
      CREATE TABLE records (
        id uuid PRIMARY KEY,
        -- No foreign key: the tenant was just looked up, and a per-row check on this
        -- append-only table measurably slows batch inserts.
        tenant_id uuid NOT NULL,
        type text NOT NULL,
        source text NOT NULL,
        external_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        via text NOT NULL CHECK (via IN ('http', 'nats')),
        -- json, not jsonb: the record is kept as received, and storing it costs half as much.
        data json NOT NULL
      )`);
    await q.query(`
      CREATE TABLE rejections (
        id uuid PRIMARY KEY,
        tenant text NOT NULL,
        tenant_id uuid REFERENCES tenants(id),
        subject text NOT NULL,
        reason text NOT NULL,
        errors jsonb NOT NULL,
        payload text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX rejections_tenant_received ON rejections (tenant, received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rejections`);
    await q.query(`DROP TABLE records`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE tenants`);
  }
}
