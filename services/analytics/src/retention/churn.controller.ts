import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  badRequest,
  CurrentTenant,
  notFound,
  parseInput,
  RequireScope,
  type TenantRef,
} from '@refinery/runtime';
import { z } from 'zod';
import { trainChurnModel } from './churn-model';
import { CustomersRepository } from './customers.repository';
import { projectLtv } from './ltv';
import { RetentionRepository } from './retention.repository';

const ChurnQuery = z.strictObject({
  cutoff: z.iso.date().optional(),
  top: z.coerce.number().int().min(1).max(10_000).default(100),
});
const LtvQuery = z.strictObject({
  horizon_months: z.coerce.number().int().min(1).max(120).default(12),
  holdout_months: z.coerce.number().int().min(0).max(24).default(2),
});

const dayBefore = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

/** Which customers are about to leave, and what a cohort is worth. */
@ApiTags('retention')
@ApiSecurity('api-key')
@Controller('api/analytics')
export class ChurnController {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly retention: RetentionRepository,
  ) {}

  @Get('churn')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'A churn model (logistic regression on recency, frequency, monetary, exceptions and tenure) trained as of ?cutoff= (default 30 days before the last active day) on whether customers were active in the 30 days after it, its AUC on a 30% holdout, and the ?top= customers most likely to churn now',
  })
  async churn(@CurrentTenant() tenant: TenantRef, @Query() query: Record<string, unknown>) {
    const q = parseInput(ChurnQuery, query);
    const last = await this.retention.lastDay(tenant.slug);
    if (!last) throw notFound('no activity yet');
    const cutoff = q.cutoff ?? dayBefore(last, 30);
    let model;
    try {
      model = trainChurnModel(await this.customers.asOf(tenant.slug, cutoff));
    } catch (error) {
      if (error instanceof RangeError)
        throw badRequest([{ path: 'cutoff', message: error.message }]);
      throw error;
    }
    // Scored as of the last active day: the customers as they are now.
    const now = await this.customers.asOf(tenant.slug, last);
    const scored = now
      .map((c) => ({ id: c.id, churn_probability: model.score(c), recency_days: c.recency_days }))
      .sort((a, b) => b.churn_probability - a.churn_probability);
    const { score: _score, ...fit } = model;
    return {
      cutoff,
      scored_as_of: last,
      model: fit,
      customers: scored.length,
      at_risk: scored.slice(0, q.top),
    };
  }

  @Get('ltv')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Lifetime value per first-activity cohort over ?horizon_months= (12): observed revenue per user plus a fitted ARPU curve, with the projection error on the last ?holdout_months= (2) hidden',
  })
  async ltv(@CurrentTenant() tenant: TenantRef, @Query() query: Record<string, unknown>) {
    const q = parseInput(LtvQuery, query);
    const cohorts = await this.customers.cohortRevenue(tenant.slug);
    if (cohorts.length === 0) throw notFound('no activity yet');
    try {
      return projectLtv(cohorts, q);
    } catch (error) {
      if (error instanceof RangeError)
        throw badRequest([{ path: '(query)', message: error.message }]);
      throw error;
    }
  }
}
