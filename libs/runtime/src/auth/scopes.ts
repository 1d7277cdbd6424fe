/** What a tenant's API key may do. The operator key (REFINERY_ADMIN_API_KEY) may do all of it, for any tenant. */
export const TENANT_SCOPES = ['ingest', 'read', 'review', 'admin'] as const;
export type Scope = (typeof TENANT_SCOPES)[number];

export const isScope = (value: string): value is Scope =>
  (TENANT_SCOPES as readonly string[]).includes(value);

/** The tenant a request acts for. */
export interface TenantRef {
  id: string;
  slug: string;
  /** Overrides the service-wide events-per-second limit when set. */
  rateLimitPerS: number | null;
}

/** Who is calling, as the credential says. */
export type Principal =
  | { kind: 'tenant'; keyId: string; tenant: TenantRef; scopes: readonly Scope[] }
  | { kind: 'operator' };
