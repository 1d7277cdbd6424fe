import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { hashApiKey } from './api-key';
import { AUTH_CONFIG, type AuthConfig } from './auth-config';
import { AuthRepository } from './auth.repository';
import type { Principal, TenantRef } from './scopes';
import { LookupCache } from './ttl-lru';

/**
 * Turns a credential into a principal. Known keys are cached for AUTH_CACHE_TTL (1 s), so a
 * key revoked on one instance stops working on every instance within that; unknown keys are
 * remembered longer, and both caches are bounded.
 */
@Injectable()
export class Authenticator {
  private readonly repository: AuthRepository;
  private readonly operatorHash: Buffer | undefined;
  private readonly keys: LookupCache<Principal>;
  // A tenant created a moment ago must be found soon: misses are not kept longer than hits.
  private readonly tenants: LookupCache<TenantRef>;

  constructor(db: DataSource, @Inject(AUTH_CONFIG) config: AuthConfig) {
    this.repository = new AuthRepository(db);
    const operatorKey = config.REFINERY_ADMIN_API_KEY;
    this.operatorHash = operatorKey ? Buffer.from(hashApiKey(operatorKey), 'hex') : undefined;
    const found = config.AUTH_CACHE_TTL;
    this.keys = new LookupCache(config.AUTH_CACHE_SIZE, {
      found,
      missing: config.AUTH_NEGATIVE_TTL,
    });
    this.tenants = new LookupCache(config.AUTH_CACHE_SIZE, { found, missing: found });
  }

  async authenticate(credential: string): Promise<Principal | null> {
    const keyHash = hashApiKey(credential);
    if (this.operatorHash && timingSafeEqual(Buffer.from(keyHash, 'hex'), this.operatorHash))
      return { kind: 'operator' };
    return this.keys.get(keyHash, () => this.repository.findKey(keyHash));
  }

  /** A tenant by slug: for the operator acting on a tenant a route names, and NATS intake. */
  tenant(slug: string): Promise<TenantRef | null> {
    return this.tenants.get(slug, () => this.repository.findTenant(slug));
  }
}
