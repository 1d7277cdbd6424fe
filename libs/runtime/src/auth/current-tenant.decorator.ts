import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { problemFor, ProblemException } from '../http/problem';
import type { AuthenticatedRequest } from './auth.guard';
import type { Principal, TenantRef } from './scopes';

/**
 * The tenant the request acts for: the key's own, or for the operator key the one the route
 * names. The operator key has no tenant of its own, so a route that names none refuses it.
 */
export const CurrentTenant = createParamDecorator(
  (_: unknown, context: ExecutionContext): TenantRef => {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (req.tenant) return req.tenant;
    throw new ProblemException(
      problemFor(403, 'the operator key has no tenant of its own; use a tenant key here'),
    );
  },
);

/**
 * The tenant the request acts for when it names one: the key's own, or the one the operator
 * named (`?tenant=`, which the guard takes off the query). Undefined for the operator naming none.
 */
export const ActingTenant = createParamDecorator(
  (_: unknown, context: ExecutionContext): TenantRef | undefined =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().tenant,
);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('CurrentPrincipal used on a route without an access rule');
    return principal;
  },
);
