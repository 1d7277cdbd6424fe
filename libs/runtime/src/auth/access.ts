import { SetMetadata } from '@nestjs/common';
import type { Scope } from './scopes';

/** What a route requires. Every route declares one, or is one of OPEN_PATHS. */
export type AccessRule = { scope: Scope } | { operator: true } | { page: true };

export const ACCESS_METADATA = 'refinery:access';

/** Only these answer without a key: probes and scrapes. */
export const OPEN_PATHS: readonly string[] = ['/health/live', '/health/ready', '/metrics'];

/** A tenant key with `scope`, or the operator key. */
export const RequireScope = (scope: Scope) => SetMetadata(ACCESS_METADATA, { scope });

/** The operator key (REFINERY_ADMIN_API_KEY) only. */
export const RequireOperator = () => SetMetadata(ACCESS_METADATA, { operator: true });

/**
 * A static file of a browser page (HTML, script, style), open to anyone: a browser cannot send
 * the key before it has the page that asks for it. It must hold no tenant's data; the page's
 * own API calls carry the key. The guard refuses it on an API path (see PAGE_REFUSED_PREFIXES).
 */
export const StaticPage = () => SetMetadata(ACCESS_METADATA, { page: true });

/** Where a StaticPage rule is refused, so an API route can never be opened with it. */
export const PAGE_REFUSED_PREFIXES: readonly string[] = ['/api/', '/v1/'];
