import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { TenantSlugSchema, validate, type FieldError } from '@refinery/contracts';
import { NATS_CONNECTION } from '@refinery/messaging';
import {
  AuthError,
  AuthRepository,
  problemFor,
  ProblemException,
  TENANT_SCOPES,
  type Scope,
} from '@refinery/runtime';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { ensureTenantConsumers } from './tenant-consumers';

export const CreateTenantSchema = z.strictObject({
  slug: TenantSlugSchema,
  name: z.string().min(1).max(200).optional(),
  rate_limit_per_s: z.number().int().positive().optional(),
});

export const CreateKeySchema = z.strictObject({
  scopes: z.array(z.enum(TENANT_SCOPES)).min(1).max(TENANT_SCOPES.length),
  label: z.string().min(1).max(100).default('default'),
});

/** Bad input or a missing tenant or key, said in words the caller can act on. */
const refused = (status: 400 | 404 | 409, detail: string, errors: FieldError[] = []) =>
  new ProblemException(problemFor(status, detail, errors.length ? { errors } : {}));

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = validate(schema, input);
  if (result.ok) return result.value;
  const detail = result.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  throw refused(400, detail, result.errors);
}

/** Tenants and their keys, for the operator: over HTTP and from the command line alike. */
@Injectable()
export class ManageTenantsUseCase {
  private readonly auth: AuthRepository;

  constructor(
    db: DataSource,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {
    this.auth = new AuthRepository(db);
  }

  /** A new tenant with one key holding every tenant scope, and its subscriber's durable. */
  async createTenant(input: unknown): Promise<{ tenant: string; key: string }> {
    const { slug, name, rate_limit_per_s } = parse(CreateTenantSchema, input);
    // First, so a tenant never exists without it; making it again changes nothing.
    await ensureTenantConsumers(this.nc, slug);
    await this.guard(() => this.auth.createTenant(slug, { name, rateLimitPerS: rate_limit_per_s }));
    const { key } = await this.auth.createKey(slug, TENANT_SCOPES);
    return { tenant: slug, key };
  }

  async createKey(tenant: string, input: unknown): Promise<{ id: string; key: string }> {
    const { scopes, label } = parse(CreateKeySchema, input);
    return this.guard(() => this.auth.createKey(tenant, [...new Set<Scope>(scopes)], label));
  }

  async revokeKey(id: string): Promise<{ id: string; tenant: string; revoked: true }> {
    parse(z.uuid('must be a key id (a UUID)'), id);
    const revoked = await this.auth.revokeKey(id);
    if (!revoked) throw refused(404, `no unrevoked key has id ${id}`);
    return { ...revoked, revoked: true };
  }

  async listKeys(tenant: string) {
    return { tenant, keys: await this.guard(() => this.auth.listKeys(tenant)) };
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AuthError) throw refused(error.status, error.message);
      throw error;
    }
  }
}
