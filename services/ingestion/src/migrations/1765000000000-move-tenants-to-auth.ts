import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants and API keys move to the shared `auth` schema, where every service reads them
 * (provisioning grants SELECT), and keys gain scopes. Keys issued before scopes existed
 * could do everything, so they keep every tenant scope.
 */
export class MoveTenantsToAuth1765000000000 implements MigrationInterface {
  name = 'MoveTenantsToAuth1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth.tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
        name text NOT NULL,
        rate_limit_per_s integer CHECK (rate_limit_per_s > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE auth.api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES auth.tenants(id) ON DELETE CASCADE,
        key_hash text NOT NULL UNIQUE,
        label text NOT NULL,
        scopes text[] NOT NULL
          CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'read', 'review', 'admin']),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_tenant ON auth.api_keys (tenant_id)`);
    await q.query(`
      INSERT INTO auth.tenants (id, slug, name, rate_limit_per_s, created_at)
      SELECT id, slug, name, rate_limit_per_s, created_at FROM tenants`);
    await q.query(`
      INSERT INTO auth.api_keys (id, tenant_id, key_hash, label, scopes, created_at, revoked_at)
      SELECT id, tenant_id, key_hash, label, ARRAY['ingest', 'read', 'review', 'admin'], created_at, revoked_at
        FROM api_keys`);
    await q.query(`ALTER TABLE rejections DROP CONSTRAINT rejections_tenant_id_fkey`);
    await q.query(`
      ALTER TABLE rejections ADD CONSTRAINT rejections_tenant_id_fkey
        FOREIGN KEY (tenant_id) REFERENCES auth.tenants(id)`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE tenants`);
  }

  async down(q: QueryRunner): Promise<void> {
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
    await q.query(
      `INSERT INTO tenants SELECT id, slug, name, rate_limit_per_s, created_at FROM auth.tenants`,
    );
    await q.query(`
      INSERT INTO api_keys SELECT id, tenant_id, key_hash, label, created_at, revoked_at FROM auth.api_keys`);
    await q.query(`ALTER TABLE rejections DROP CONSTRAINT rejections_tenant_id_fkey`);
    await q.query(`
      ALTER TABLE rejections ADD CONSTRAINT rejections_tenant_id_fkey
        FOREIGN KEY (tenant_id) REFERENCES tenants(id)`);
    await q.query(`DROP TABLE auth.api_keys`);
    await q.query(`DROP TABLE auth.tenants`);
  }
}
