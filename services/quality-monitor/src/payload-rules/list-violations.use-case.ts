import { Injectable } from '@nestjs/common';
import { parseInput, type TenantRef } from '@refinery/runtime';
import { z } from 'zod';
import { ViolationsRepository, type ViolationFilter } from './violations.repository';

const ViolationsQuerySchema = z.strictObject({
  rule: z.string().max(100).optional(),
  record_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * The query; a tenant key sees its own tenant's violations only, the operator those of the
 * tenant it names (`?tenant=`, resolved by the guard) or of every tenant.
 */
export const violationFilterOf = (
  tenant: TenantRef | undefined,
  query: unknown,
): ViolationFilter => {
  const filter = parseInput(ViolationsQuerySchema, query);
  return tenant ? { ...filter, tenant: tenant.slug } : filter;
};

/** Violations found in incoming records, newest first. */
@Injectable()
export class ListViolationsUseCase {
  constructor(private readonly violations: ViolationsRepository) {}

  async execute(filter: ViolationFilter) {
    return { violations: await this.violations.list(filter) };
  }
}
