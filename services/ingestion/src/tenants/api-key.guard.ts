import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { problemFor, ProblemException } from '@refinery/runtime';
import { Tenant } from './tenant.entity';
import { TenantsRepository } from './tenants.repository';

type TenantRequest = Request & { tenant?: Tenant };

/** Maps the `x-api-key` header to a tenant, or answers 401 saying what is wrong. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly tenants: TenantsRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<TenantRequest>();
    const key = req.header('x-api-key');
    if (!key)
      throw new ProblemException(problemFor(401, 'send your API key in the x-api-key header'));
    const tenant = await this.tenants.findByApiKey(key);
    if (!tenant)
      throw new ProblemException(problemFor(401, 'the API key is not known or has been revoked'));
    req.tenant = tenant;
    return true;
  }
}

export const CurrentTenant = createParamDecorator(
  (_: unknown, context: ExecutionContext): Tenant => {
    const tenant = context.switchToHttp().getRequest<TenantRequest>().tenant;
    if (!tenant) throw new Error('CurrentTenant used on a route without ApiKeyGuard');
    return tenant;
  },
);
