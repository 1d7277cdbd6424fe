import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { hashApiKey } from './api-key';
import { AUTH_CONFIG, type AuthConfig } from './auth-config';
import { AuthRepository } from './auth.repository';
import type { Principal, TenantRef } from './scopes';
import { TtlLru } from './ttl-lru';

/**
 * Turns a credential into a principal. Known keys are cached for AUTH_CACHE_TTL (1 s), so a
 * key revoked on one instance stops working on every instance within that; unknown keys are
 * remembered longer, and both caches are bounded.
 */
@Injectable()
export class Authenticator {
  private readonly repository: AuthRepository;
  private readonly operatorHash: Buffer | undefined;
  private readonly keys: TtlLru<string, Principal | null>;
  private readonly tenants: TtlLru<string, TenantRef | null>;
  // One lookup per key at a time, however many requests wait on it.
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    db: DataSource,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {
    this.repository = new AuthRepository(db);
    const operatorKey = config.REFINERY_ADMIN_API_KEY;
    this.operatorHash = operatorKey ? Buffer.from(hashApiKey(operatorKey), 'hex') : undefined;
    this.keys = new TtlLru(config.AUTH_CACHE_SIZE);
    this.tenants = new TtlLru(config.AUTH_CACHE_SIZE);
  }

  async authenticate(credential: string): Promise<Principal | null> {
    const keyHash = hashApiKey(credential);
    if (this.operatorHash && timingSafeEqual(Buffer.from(keyHash, 'hex'), this.operatorHash))
      return { kind: 'operator' };
    return this.cached(this.keys, keyHash, () => this.repository.findKey(keyHash), {
      found: this.config.AUTH_CACHE_TTL,
      missing: this.config.AUTH_NEGATIVE_TTL,
    });
  }

  /** A tenant by slug: for the operator acting on a tenant a route names, and NATS intake. */
  tenant(slug: string): Promise<TenantRef | null> {
    // A tenant created a moment ago must be found soon: misses are not kept longer than hits.
    const ttl = this.config.AUTH_CACHE_TTL;
    return this.cached(this.tenants, slug, () => this.repository.findTenant(slug), {
      found: ttl,
      missing: ttl,
    });
  }

  private async cached<V>(
    cache: TtlLru<string, V | null>,
    key: string,
    load: () => Promise<V | null>,
    ttl: { found: number; missing: number },
  ): Promise<V | null> {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const flightKey = `${cache === this.keys ? 'k' : 't'}:${key}`;
    const pending = this.inFlight.get(flightKey) as Promise<V | null> | undefined;
    if (pending) return pending;
    const loading = load()
      .then((value) => {
        cache.set(key, value, value ? ttl.found : ttl.missing);
        return value;
      })
      .finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, loading);
    return loading;
  }
}
