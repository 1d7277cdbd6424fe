import { SetMetadata } from '@nestjs/common';
import type { Scope } from './scopes';

/** What a route requires. Every route declares one, or is one of OPEN_PATHS. */
export type AccessRule = { scope: Scope } | { operator: true };

export const ACCESS_METADATA = 'refinery:access';

/** Only these answer without a key: probes and scrapes. */
export const OPEN_PATHS: readonly string[] = ['/health/live', '/health/ready', '/metrics'];

/** A tenant key with `scope`, or the operator key. */
export const RequireScope = (scope: Scope) => SetMetadata(ACCESS_METADATA, { scope });

/** The operator key (REFINERY_ADMIN_API_KEY) only. */
export const RequireOperator = () => SetMetadata(ACCESS_METADATA, { operator: true });
