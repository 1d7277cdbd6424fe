import { z } from 'zod';
import { durationVar } from '../config/durations';

/** How every service authenticates; part of every service's configuration. */
export const AuthConfigSchema = z.object({
  /** Manages tenants, keys, validation rules and cleansing for every tenant. Unset: no operator. */
  REFINERY_ADMIN_API_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long a known key is trusted before it is looked up again: a revoked key stops within this. */
  AUTH_CACHE_TTL: durationVar.default(1000),
  /** How long an unknown key is remembered as unknown. */
  AUTH_NEGATIVE_TTL: durationVar.default(30_000),
  AUTH_CACHE_SIZE: z.coerce.number().int().min(1).default(10_000),
  /** Failed authentications one address may make per AUTH_FAILURE_WINDOW before 429. */
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(30),
  AUTH_FAILURE_WINDOW: durationVar.default(60_000),
});

export type AuthConfig = z.infer<typeof AuthConfigSchema>;
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
