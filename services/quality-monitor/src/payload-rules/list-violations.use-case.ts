import { Injectable } from '@nestjs/common';
import { TenantSlugSchema } from '@refinery/contracts';
import type { Principal } from '@refinery/runtime';
import { z } from 'zod';
import { parseInput } from '@refinery/runtime';
import { ViolationsRepository, type ViolationFilter } from './violations.repository';

const ViolationsQuerySchema = z.strictObject({
  tenant: TenantSlugSchema.optional(),
  rule: z.string().max(100).optional(),
  record_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** The query; a tenant key sees its own tenant's violations only, the operator any. */
export const violationFilterOf = (principal: Principal, query: unknown): ViolationFilter => {
  const filter = parseInput(ViolationsQuerySchema, query);
  return principal.kind === 'tenant' ? { ...filter, tenant: principal.tenant.slug } : filter;
};

/** Violations found in incoming records, newest first. */
@Injectable()
export class ListViolationsUseCase {
  constructor(private readonly violations: ViolationsRepository) {}

  async execute(filter: ViolationFilter) {
    return { violations: await this.violations.list(filter) };
  }
}
