import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, durationVar, RequireScope, type TenantRef } from '@refinery/runtime';
import { z } from 'zod';
import { Alerter } from '../alerts/alerter';
import { Thresholds, ThresholdsUpdateSchema, type ThresholdsUpdate } from '../alerts/thresholds';
import { badRequest, parseInput } from '../problems';
import { Reprocessor } from '../reprocess/reprocessor';
import { EnrichmentReport } from './enrichment-report';

const LimitSchema = z.coerce.number().int().min(1).max(1000).default(100);

/** Where a tenant's records stand: the on-call engineer's first three questions. */
@ApiTags('enrichment')
@ApiSecurity('api-key')
@Controller('api/enrichment')
export class EnrichmentController {
  constructor(
    private readonly reports: EnrichmentReport,
    private readonly thresholds: Thresholds,
    private readonly alerter: Alerter,
    private readonly reprocessor: Reprocessor,
  ) {}

  @Get('health/:tenant')
  @RequireScope('read')
  @ApiOperation({
    summary: "OK, WARNING or CRITICAL, with each check against the tenant's thresholds",
  })
  async health(@CurrentTenant() tenant: TenantRef) {
    const slug = tenant.slug;
    const report = await this.reports.report(slug);
    const checks = this.thresholds.check(report, await this.thresholds.of(slug));
    const worst = (['CRITICAL', 'WARNING'] as const).find((s) =>
      checks.some((c) => c.status === s),
    );
    return { tenant: slug, status: worst ?? 'OK', checks };
  }

  @Get('integrity/:tenant')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Records incomplete after a day and records over the retry limit (both should be 0), escalations, high-confidence rate',
  })
  async integrity(@CurrentTenant() tenant: TenantRef) {
    const report = await this.reports.report(tenant.slug);
    return {
      tenant: report.tenant,
      ...report.integrity,
      high_confidence_rate: report.high_confidence_rate,
    };
  }

  @Get('thresholds/:tenant')
  @RequireScope('read')
  @ApiOperation({ summary: "The tenant's alert thresholds: its overrides over the defaults" })
  async getThresholds(@CurrentTenant() tenant: TenantRef) {
    const slug = tenant.slug;
    return { tenant: slug, thresholds: await this.thresholds.of(slug) };
  }

  @Put('thresholds/:tenant')
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Overrides thresholds for the tenant, e.g. {"completeness": {"warning": 0.9}}; null restores a default',
  })
  async putThresholds(@CurrentTenant() tenant: TenantRef, @Body() body: unknown) {
    const slug = tenant.slug;
    const update = parseInput(ThresholdsUpdateSchema, body, 'body') as ThresholdsUpdate;
    try {
      return { tenant: slug, thresholds: await this.thresholds.update(slug, update) };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw badRequest([{ path: 'body', message: error.message }]);
    }
  }

  @Get('alerts/:tenant')
  @RequireScope('read')
  @ApiOperation({
    summary: "The tenant's alerts as last evaluated: firing or resolved, since when",
  })
  async alerts(@CurrentTenant() tenant: TenantRef) {
    const slug = tenant.slug;
    return { tenant: slug, alerts: await this.alerter.states(slug) };
  }

  @Post('process/:tenant')
  @RequireScope('admin')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Drives the incomplete records again now: FAILED stages, stages stuck longer than stuck_after (default QUALITY_STUCK_AFTER), unsure answers nobody labelled',
  })
  process(@CurrentTenant() tenant: TenantRef, @Query('stuck_after') stuckAfter?: string) {
    const slug = tenant.slug;
    const after =
      stuckAfter === undefined ? undefined : parseInput(durationVar, stuckAfter, 'stuck_after');
    return this.reprocessor.sweep(slug, after);
  }

  @Get('report/:tenant')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Completeness, backlog, failure rate, quality score, latency, per-stage figures and the confidence distribution',
  })
  report(@CurrentTenant() tenant: TenantRef) {
    return this.reports.report(tenant.slug);
  }

  @Get('backlog/:tenant')
  @RequireScope('read')
  @ApiOperation({ summary: 'Records awaiting processing, oldest first, with each stage status' })
  async backlog(@CurrentTenant() tenant: TenantRef, @Query('limit') limit?: string) {
    const slug = tenant.slug;
    const records = await this.reports.backlog(slug, parseInput(LimitSchema, limit, 'limit'));
    return { tenant: slug, records };
  }
}
