import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { generateApiKey, hashApiKey } from './api-key';
import { Tenant } from './tenant.entity';

interface TenantRow {
  id: string;
  slug: string;
  rate_limit_per_s: number | null;
}

const toTenant = (row: TenantRow | undefined): Tenant | null =>
  row ? { id: row.id, slug: row.slug, rateLimitPerS: row.rate_limit_per_s } : null;

/** Every request and message looks its tenant up; a short cache keeps that off the database. */
class TenantCache {
  private readonly entries = new Map<string, { tenant: Tenant | null; until: number }>();

  async get(key: string, load: () => Promise<Tenant | null>): Promise<Tenant | null> {
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.tenant;
    const tenant = await load();
    // Misses expire sooner so a tenant created a moment ago is found quickly.
    this.entries.set(key, { tenant, until: Date.now() + (tenant ? 30_000 : 5_000) });
    return tenant;
  }
}

@Injectable()
export class TenantsRepository {
  private readonly byKeyHash = new TenantCache();
  private readonly bySlug = new TenantCache();

  constructor(private readonly db: DataSource) {}

  findByApiKey(key: string): Promise<Tenant | null> {
    const keyHash = hashApiKey(key);
    return this.byKeyHash.get(keyHash, async () => {
      const rows: TenantRow[] = await this.db.query(
        `SELECT t.id, t.slug, t.rate_limit_per_s FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
          WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
        [keyHash],
      );
      return toTenant(rows[0]);
    });
  }

  findBySlug(slug: string): Promise<Tenant | null> {
    return this.bySlug.get(slug, async () => {
      const rows: TenantRow[] = await this.db.query(
        `SELECT id, slug, rate_limit_per_s FROM tenants WHERE slug = $1`,
        [slug],
      );
      return toTenant(rows[0]);
    });
  }

  /** Creates the tenant if needed and makes sure `key` is one of its keys. Idempotent. */
  async ensureTenantWithKey(
    slug: string,
    name: string,
    key: string,
    rateLimitPerS: number | null = null,
  ): Promise<Tenant> {
    return this.db.transaction(async (tx) => {
      const rows: TenantRow[] = await tx.query(
        `INSERT INTO tenants (slug, name, rate_limit_per_s) VALUES ($1, $2, $3)
         ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name RETURNING id, slug, rate_limit_per_s`,
        [slug, name, rateLimitPerS],
      );
      await tx.query(
        `INSERT INTO api_keys (tenant_id, key_hash, label) VALUES ($1, $2, 'default') ON CONFLICT (key_hash) DO NOTHING`,
        [rows[0].id, hashApiKey(key)],
      );
      return toTenant(rows[0]) as Tenant;
    });
  }

  /** Creates a tenant with a fresh key; the key is returned once and stored only hashed. */
  async createTenant(
    slug: string,
    options: { name?: string; rateLimitPerS?: number } = {},
  ): Promise<{ tenant: Tenant; apiKey: string }> {
    const apiKey = generateApiKey(slug);
    const tenant = await this.ensureTenantWithKey(
      slug,
      options.name ?? slug,
      apiKey,
      options.rateLimitPerS ?? null,
    );
    return { tenant, apiKey };
  }
}
