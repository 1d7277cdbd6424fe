import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, parseInput, RequireScope, type TenantRef } from '@refinery/runtime';
import { z } from 'zod';
import { dayList } from '../shared/requests';
import { RetentionRepository } from './retention.repository';

const RetentionQuery = z.strictObject({
  days: dayList.default([1, 7, 30]),
  as_of: z.iso.date().optional(),
  events: z
    .string()
    .min(1)
    .max(5_000)
    .transform((s) =>
      s
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .optional(),
});
const CohortQuery = z.strictObject({
  period: z.enum(['day', 'week', 'month']).default('month'),
  property: z.string().min(1).max(200).optional(),
  value: z.string().max(500).optional(),
});

/** Cohorts and retention; a user is active on a UTC day when any of their events falls in it. */
@ApiTags('retention')
@ApiSecurity('api-key')
@Controller('api/analytics')
export class RetentionController {
  constructor(private readonly retention: RetentionRepository) {}

  @Get('retention')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'D-N retention for ?days= (1,7,30): of the users whose day N is on or before ?as_of= (default: the last active day), the share active on day N exactly (n_day) and on day N or later (unbounded); ?events= (comma-separated) counts only those events as activity',
  })
  async get(@CurrentTenant() tenant: TenantRef, @Query() query: Record<string, unknown>) {
    const q = parseInput(RetentionQuery, query);
    const asOf = q.as_of ?? (await this.retention.lastDay(tenant.slug));
    if (!asOf) return { as_of: null, retention: [] };
    const rows = await this.retention.retention(tenant.slug, q.days, asOf, q.events);
    return {
      as_of: asOf,
      activity: q.events ?? 'any event',
      retention: q.days.map((day) => {
        const r = rows.find((row) => row.day === day) ?? { eligible: 0, n_day: 0, unbounded: 0 };
        return {
          day,
          eligible: r.eligible,
          n_day: r.n_day,
          unbounded: r.unbounded,
          n_day_rate: r.eligible ? r.n_day / r.eligible : null,
          unbounded_rate: r.eligible ? r.unbounded / r.eligible : null,
        };
      }),
    };
  }

  @Get('cohorts')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Users by the ?period= (day, week, month) of their first activity; ?property=&value= keeps users whose trait has that value',
  })
  async cohorts(@CurrentTenant() tenant: TenantRef, @Query() query: Record<string, unknown>) {
    const q = parseInput(CohortQuery, query);
    const property = q.property ? { name: q.property, value: q.value ?? '' } : undefined;
    return {
      period: q.period,
      cohorts: await this.retention.cohorts(tenant.slug, q.period, property),
    };
  }

  @Get('cohorts/retention-matrix')
  @RequireScope('read')
  @ApiOperation({
    summary: 'mv_cohort_retention: per first-activity month, the users active in months m0..m11',
  })
  async matrix(@CurrentTenant() tenant: TenantRef) {
    return { cohorts: await this.retention.matrix(tenant.slug) };
  }

  @Post('cohorts/refresh')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({
    summary: 'Refreshes mv_cohort_retention now (concurrently; it is also refreshed on a schedule)',
  })
  async refresh() {
    await this.retention.refresh();
    return { refreshed: true };
  }
}
