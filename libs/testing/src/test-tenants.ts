import { databaseConfigFromEnv, createDataSource } from '@refinery/persistence';
import { AuthRepository, TENANT_SCOPES, type Scope, type TenantRef } from '@refinery/runtime';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { uniqueName } from './unique-name';

export interface TestTenant {
  slug: string;
  tenant: TenantRef;
  /** A key with the scopes asked for (every tenant scope by default). */
  apiKey: string;
  keyId: string;
}

/**
 * Tenants and keys in the shared auth schema, written the way the admin command line does
 * (as ingestion's role), so every service under test can authenticate them.
 */
export class TestTenants {
  private constructor(
    private readonly db: DataSource,
    private readonly auth: AuthRepository,
  ) {}

  static async open(): Promise<TestTenants> {
    const env = { ...process.env, DATABASE_NAME: process.env.DATABASE_NAME ?? 'refinery_test' };
    const config = databaseConfigFromEnv('ingestion', { ...env, DATABASE_USER: undefined });
    const db = await createDataSource({
      schema: 'ingestion',
      entities: [],
      migrations: [],
      config,
    }).initialize();
    return new TestTenants(db, new AuthRepository(db));
  }

  async create(
    options: {
      /** A slug of its own; otherwise a fresh one starting with `prefix`. */
      slug?: string;
      prefix?: string;
      scopes?: readonly Scope[];
      rateLimitPerS?: number;
    } = {},
  ): Promise<TestTenant> {
    const slug = options.slug ?? uniqueName(options.prefix ?? 't').replace('_', '-');
    const tenant =
      (options.slug && (await this.auth.findTenant(slug))) ||
      (await this.auth.createTenant(slug, { rateLimitPerS: options.rateLimitPerS }));
    const { id, key } = await this.auth.createKey(slug, options.scopes ?? TENANT_SCOPES);
    return { slug, tenant, apiKey: key, keyId: id };
  }

  /** One more key for an existing tenant. */
  key(slug: string, scopes: readonly Scope[]): Promise<{ id: string; key: string }> {
    return this.auth.createKey(slug, scopes, scopes.join('+'));
  }

  async revoke(keyId: string): Promise<void> {
    await this.auth.revokeKey(keyId);
  }

  /** An operator key (REFINERY_ADMIN_API_KEY) for services a test starts. */
  static operatorKey(): string {
    return `op_${randomBytes(24).toString('base64url')}`;
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}
