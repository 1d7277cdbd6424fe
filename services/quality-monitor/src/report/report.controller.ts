import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RequireScope, type TenantRef } from '@refinery/runtime';
import { BacklogCommand, GetBacklogUseCase } from './get-backlog.use-case';
import { GetReportUseCase } from './get-report.use-case';

/** Where a tenant's records stand: the on-call engineer's first questions. */
@ApiTags('enrichment')
@ApiSecurity('api-key')
@Controller('api/enrichment')
export class ReportController {
  constructor(
    private readonly reports: GetReportUseCase,
    private readonly backlogs: GetBacklogUseCase,
  ) {}

  @Get('integrity/:tenant')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Records incomplete after a day and records over the retry limit (both should be 0), escalations, high-confidence rate',
  })
  integrity(@CurrentTenant() tenant: TenantRef) {
    return this.reports.integrity(tenant.slug);
  }

  @Get('report/:tenant')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Completeness, backlog, failure rate, quality score, latency, per-stage figures and the confidence distribution',
  })
  report(@CurrentTenant() tenant: TenantRef) {
    return this.reports.execute(tenant.slug);
  }

  @Get('backlog/:tenant')
  @RequireScope('read')
  @ApiOperation({ summary: 'Records awaiting processing, oldest first, with each stage status' })
  backlog(@CurrentTenant() tenant: TenantRef, @Query('limit') limit?: string) {
    return this.backlogs.execute(BacklogCommand.from(tenant.slug, limit));
  }
}
