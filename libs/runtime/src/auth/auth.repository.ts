import type { DataSource } from 'typeorm';
import { generateApiKey, hashApiKey } from './api-key';
import { isScope, type Principal, type Scope, type TenantRef } from './scopes';

interface TenantRow {
  id: string;
  slug: string;
  rate_limit_per_s: number | null;
}

export interface KeyInfo {
  id: string;
  label: string;
  scopes: Scope[];
  created_at: string;
  revoked_at: string | null;
}

export class AuthError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

const toTenant = (row: TenantRow): TenantRef => ({
  id: row.id,
  slug: row.slug,
  rateLimitPerS: row.rate_limit_per_s,
});

/**
 * Tenants and API keys in the shared `auth` schema. Every service role may read it; only
 * ingestion's role (and the admin command line) may write.
 */
export class AuthRepository {
  constructor(private readonly db: DataSource) {}

  async findKey(keyHash: string): Promise<Principal | null> {
    const rows: (TenantRow & { key_id: string; scopes: string[] })[] = await this.db.query(
      `SELECT k.id AS key_id, k.scopes, t.id, t.slug, t.rate_limit_per_s
         FROM auth.api_keys k JOIN auth.tenants t ON t.id = k.tenant_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [keyHash],
    );
    if (!rows[0]) return null;
    const { key_id, scopes } = rows[0];
    return {
      kind: 'tenant',
      keyId: key_id,
      tenant: toTenant(rows[0]),
      scopes: scopes.filter(isScope),
    };
  }

  async findTenant(slug: string): Promise<TenantRef | null> {
    const rows: TenantRow[] = await this.db.query(
      `SELECT id, slug, rate_limit_per_s FROM auth.tenants WHERE slug = $1`,
      [slug],
    );
    return rows[0] ? toTenant(rows[0]) : null;
  }

  async createTenant(
    slug: string,
    options: { name?: string; rateLimitPerS?: number | null } = {},
  ): Promise<TenantRef> {
    const rows: TenantRow[] = await this.db.query(
      `INSERT INTO auth.tenants (slug, name, rate_limit_per_s) VALUES ($1, $2, $3)
       ON CONFLICT (slug) DO NOTHING RETURNING id, slug, rate_limit_per_s`,
      [slug, options.name ?? slug, options.rateLimitPerS ?? null],
    );
    if (!rows[0]) throw new AuthError(409, `tenant "${slug}" already exists`);
    return toTenant(rows[0]);
  }

  /** Issues a key; the key itself is returned once and stored only hashed. */
  async createKey(
    slug: string,
    scopes: readonly Scope[],
    label = 'default',
    key = generateApiKey(slug),
  ): Promise<{ id: string; key: string }> {
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO auth.api_keys (tenant_id, key_hash, label, scopes)
       SELECT id, $2, $3, $4 FROM auth.tenants WHERE slug = $1
       RETURNING id`,
      [slug, hashApiKey(key), label, scopes],
    );
    if (!rows[0]) throw new AuthError(404, `tenant "${slug}" does not exist`);
    return { id: rows[0].id, key };
  }

  /** Creates the tenant if needed and makes sure `key` is one of its keys. Idempotent. */
  async ensureTenantWithKey(
    slug: string,
    key: string,
    scopes: readonly Scope[],
  ): Promise<TenantRef> {
    return this.db.transaction(async (tx) => {
      const rows: TenantRow[] = await tx.query(
        `INSERT INTO auth.tenants (slug, name) VALUES ($1, $1)
         ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug RETURNING id, slug, rate_limit_per_s`,
        [slug],
      );
      await tx.query(
        `INSERT INTO auth.api_keys (tenant_id, key_hash, label, scopes) VALUES ($1, $2, 'default', $3)
         ON CONFLICT (key_hash) DO UPDATE SET scopes = EXCLUDED.scopes
         WHERE auth.api_keys.tenant_id = EXCLUDED.tenant_id`,
        [rows[0].id, hashApiKey(key), scopes],
      );
      return toTenant(rows[0]);
    });
  }

  /** Returns the revoked key, or null when no unrevoked key has that id. */
  async revokeKey(id: string): Promise<{ id: string; tenant: string } | null> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [{ id: string; tenant: string }[], number] = await this.db.query(
      `UPDATE auth.api_keys k SET revoked_at = now() FROM auth.tenants t
        WHERE k.id = $1 AND k.revoked_at IS NULL AND t.id = k.tenant_id
        RETURNING k.id, t.slug AS tenant`,
      [id],
    );
    return rows[0] ?? null;
  }

  async listKeys(slug: string): Promise<KeyInfo[]> {
    if (!(await this.findTenant(slug))) throw new AuthError(404, `tenant "${slug}" does not exist`);
    return this.db.query(
      `SELECT k.id, k.label, k.scopes, k.created_at, k.revoked_at
         FROM auth.api_keys k JOIN auth.tenants t ON t.id = k.tenant_id
        WHERE t.slug = $1 ORDER BY k.created_at, k.id`,
      [slug],
    );
  }
}
