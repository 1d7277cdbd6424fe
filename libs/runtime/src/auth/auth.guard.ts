import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { problemFor, ProblemException } from '../http/problem';
import { ACCESS_METADATA, OPEN_PATHS, PAGE_REFUSED_PREFIXES, type AccessRule } from './access';
import { credentialOf } from './api-key';
import { Authenticator } from './authenticator';
import { FailureThrottle } from './failure-throttle';
import type { Principal, TenantRef } from './scopes';

export type AuthenticatedRequest = Request & { principal?: Principal; tenant?: TenantRef };

const logger = new Logger('auth');

const MISSING = 'send your API key in the x-api-key header (or as the HTTP Basic user name)';

/**
 * Every HTTP route of every service: who is calling (401), may they (403), and for which
 * tenant. A tenant named in the path or `?tenant=` that is not the key's own answers 404,
 * like one that does not exist. A route without an access rule is refused, never open.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Inject(FailureThrottle) private readonly throttle: FailureThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) {
      if (OPEN_PATHS.includes(req.path)) return true;
      logger.error(`${req.method} ${req.route?.path ?? req.path} has no access rule`);
      throw new ProblemException(problemFor(403, 'this route has no access rule'));
    }
    if ('page' in rule) {
      const read = req.method === 'GET' || req.method === 'HEAD';
      if (read && !PAGE_REFUSED_PREFIXES.some((prefix) => req.path.startsWith(prefix))) return true;
      logger.error(`${req.method} ${req.route?.path ?? req.path} is marked a static page`);
      throw new ProblemException(
        problemFor(403, 'a static page is read-only and never an API route'),
      );
    }
    const principal = await this.authenticate(req);
    if ('operator' in rule && principal.kind !== 'operator')
      throw new ProblemException(problemFor(403, 'this route needs the operator key'));
    if ('scope' in rule && principal.kind === 'tenant' && !principal.scopes.includes(rule.scope))
      throw new ProblemException(problemFor(403, `this key lacks the "${rule.scope}" scope`));
    req.principal = principal;
    const tenant = await this.actingTenant(req, principal);
    if (tenant) req.tenant = tenant;
    withoutTenantQuery(req);
    return true;
  }

  private async authenticate(req: Request): Promise<Principal> {
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = this.throttle.retryAfterS(address);
    if (wait > 0) {
      throw new ProblemException(
        problemFor(429, 'too many failed authentications from this address', {
          title: 'Too many failed authentications',
        }),
        wait,
      );
    }
    const credential = credentialOf(req.headers);
    const principal = credential
      ? await lookUp(() => this.authenticator.authenticate(credential))
      : null;
    if (principal) return principal;
    this.throttle.fail(address);
    throw new ProblemException(
      problemFor(401, credential ? 'the API key is not known or has been revoked' : MISSING),
    );
  }

  private async actingTenant(req: Request, principal: Principal): Promise<TenantRef | undefined> {
    const named = tenantNamed(req);
    if (principal.kind === 'tenant') {
      if (named !== undefined && named !== principal.tenant.slug) throw noSuchTenant(named);
      return principal.tenant;
    }
    if (named === undefined) return undefined;
    const tenant = await lookUp(() => this.authenticator.tenant(named));
    if (!tenant) throw noSuchTenant(named);
    return tenant;
  }
}

/** Keys and tenants that cannot be read (database down, tables not made yet): retry soon. */
async function lookUp<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    logger.error(`cannot read API keys and tenants: ${String(error)}`);
    throw new ProblemException(problemFor(503, 'API keys cannot be checked right now'), 1);
  }
}

function tenantNamed(req: Request): string | undefined {
  const fromPath = (req.params as Record<string, string> | undefined)?.tenant;
  if (fromPath !== undefined) return fromPath;
  const fromQuery = req.query?.tenant;
  if (fromQuery === undefined) return undefined;
  // A repeated ?tenant= names no tenant that exists.
  return typeof fromQuery === 'string' ? fromQuery : String(fromQuery);
}

/**
 * `?tenant=` is the guard's: once it has named the acting tenant, routes read their query without
 * it, so a route's strict query schema serves the operator as it serves a tenant's key.
 * Express 5 parses `req.query` on each read, so the parsed copy is pinned on the request.
 */
function withoutTenantQuery(req: Request): void {
  if (req.query?.tenant === undefined) return;
  const { tenant: _named, ...rest } = req.query;
  Object.defineProperty(req, 'query', { value: rest, configurable: true, enumerable: true });
}

const noSuchTenant = (slug: string) =>
  new ProblemException(problemFor(404, `tenant "${slug}" does not exist`));
