import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantSlugSchema } from '@refinery/contracts';
import { durationVar } from '@refinery/runtime';
import { z } from 'zod';
import { Alerter } from '../alerts/alerter';
import { Thresholds, ThresholdsUpdateSchema, type ThresholdsUpdate } from '../alerts/thresholds';
import { badRequest, parseInput } from '../problems';
import { Reprocessor } from '../reprocess/reprocessor';
import { EnrichmentReport } from './enrichment-report';

const LimitSchema = z.coerce.number().int().min(1).max(1000).default(100);

/** Where a tenant's records stand: the on-call engineer's first three questions. */
@ApiTags('enrichment')
@Controller('api/enrichment')
export class EnrichmentController {
  constructor(
    private readonly reports: EnrichmentReport,
    private readonly thresholds: Thresholds,
    private readonly alerter: Alerter,
    private readonly reprocessor: Reprocessor,
  ) {}

  @Get('health/:tenant')
  @ApiOperation({
    summary: "OK, WARNING or CRITICAL, with each check against the tenant's thresholds",
  })
  async health(@Param('tenant') tenant: string) {
    const slug = parseInput(TenantSlugSchema, tenant, 'tenant');
    const report = await this.reports.report(slug);
    const checks = this.thresholds.check(report, await this.thresholds.of(slug));
    const worst = (['CRITICAL', 'WARNING'] as const).find((s) =>
      checks.some((c) => c.status === s),
    );
    return { tenant: slug, status: worst ?? 'OK', checks };
  }

  @Get('integrity/:tenant')
  @ApiOperation({
    summary:
      'Records incomplete after a day and records over the retry limit (both should be 0), escalations, high-confidence rate',
  })
  async integrity(@Param('tenant') tenant: string) {
    const report = await this.reports.report(parseInput(TenantSlugSchema, tenant, 'tenant'));
    return {
      tenant: report.tenant,
      ...report.integrity,
      high_confidence_rate: report.high_confidence_rate,
    };
  }

  @Get('thresholds/:tenant')
  @ApiOperation({ summary: "The tenant's alert thresholds: its overrides over the defaults" })
  async getThresholds(@Param('tenant') tenant: string) {
    const slug = parseInput(TenantSlugSchema, tenant, 'tenant');
    return { tenant: slug, thresholds: await this.thresholds.of(slug) };
  }

  @Put('thresholds/:tenant')
  @ApiOperation({
    summary:
      'Overrides thresholds for the tenant, e.g. {"completeness": {"warning": 0.9}}; null restores a default',
  })
  async putThresholds(@Param('tenant') tenant: string, @Body() body: unknown) {
    const slug = parseInput(TenantSlugSchema, tenant, 'tenant');
    const update = parseInput(ThresholdsUpdateSchema, body, 'body') as ThresholdsUpdate;
    try {
      return { tenant: slug, thresholds: await this.thresholds.update(slug, update) };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw badRequest([{ path: 'body', message: error.message }]);
    }
  }

  @Get('alerts/:tenant')
  @ApiOperation({
    summary: "The tenant's alerts as last evaluated: firing or resolved, since when",
  })
  async alerts(@Param('tenant') tenant: string) {
    const slug = parseInput(TenantSlugSchema, tenant, 'tenant');
    return { tenant: slug, alerts: await this.alerter.states(slug) };
  }

  @Post('process/:tenant')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Drives the incomplete records again now: FAILED stages, stages stuck longer than stuck_after (default QUALITY_STUCK_AFTER), unsure answers nobody labelled',
  })
  process(@Param('tenant') tenant: string, @Query('stuck_after') stuckAfter?: string) {
    const slug = parseInput(TenantSlugSchema, tenant, 'tenant');
    const after =
      stuckAfter === undefined ? undefined : parseInput(durationVar, stuckAfter, 'stuck_after');
    return this.reprocessor.sweep(slug, after);
  }

  @Get('report/:tenant')
  @ApiOperation({
    summary:
      'Completeness, backlog, failure rate, quality score, latency, per-stage figures and the confidence distribution',
  })
  report(@Param('tenant') tenant: string) {
    return this.reports.report(parseInput(TenantSlugSchema, tenant, 'tenant'));
  }

  @Get('backlog/:tenant')
  @ApiOperation({ summary: 'Records awaiting processing, oldest first, with each stage status' })
  async backlog(@Param('tenant') tenant: string, @Query('limit') limit?: string) {
    const slug = parseInput(TenantSlugSchema, tenant, 'tenant');
    const records = await this.reports.backlog(slug, parseInput(LimitSchema, limit, 'limit'));
    return { tenant: slug, records };
  }
}
