import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  CurrentTenant,
  problemResponse,
  RequireScope,
  type Principal,
  type TenantRef,
} from '@refinery/runtime';
import { GetLearningMetricsUseCase } from '../metrics/get-learning-metrics.use-case';
import { authorOf } from '../shared/actor';
import { ApplyLearningsUseCase } from './apply-learnings.use-case';
import { DecideItemUseCase } from './decide-item.use-case';
import { FindSimilarUseCase } from './find-similar.use-case';
import { ListQueueUseCase } from './list-queue.use-case';

const reasonOf = (body: unknown): string | null =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as { reason?: unknown }).reason === 'string'
    ? (body as { reason: string }).reason.slice(0, 2000)
    : null;

/** The learning queue: list, decide, apply; similar items; metrics. */
@ApiTags('learning')
@ApiSecurity('api-key')
@Controller('api/learning')
export class QueueController {
  constructor(
    private readonly list: ListQueueUseCase,
    private readonly decide: DecideItemUseCase,
    private readonly apply: ApplyLearningsUseCase,
    private readonly similar: FindSimilarUseCase,
    private readonly metrics: GetLearningMetricsUseCase,
  ) {}

  @Get('queue')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'The queue: ?status=pending|approved|rejected|applied oldest first, or all newest first; ?limit=',
  })
  queue(
    @CurrentTenant() tenant: TenantRef,
    @Query('status') status?: string,
    @Query('limit') limit?: string,
  ) {
    return this.list.execute(tenant.slug, { status, limit });
  }

  @Post('queue/:id/approve')
  @HttpCode(200)
  @RequireScope('review')
  @ApiOperation({
    summary: 'Approves a pending item; {"reason"} optional; it is applied on the next run',
  })
  @ApiResponse({ status: 404, ...problemResponse('No such item for this tenant') })
  @ApiResponse({ status: 409, ...problemResponse('The item is not pending') })
  approve(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
  ) {
    return this.decide.execute(authorOf(tenant, who), id, 'approved', reasonOf(body));
  }

  @Post('queue/:id/reject')
  @HttpCode(200)
  @RequireScope('review')
  @ApiOperation({ summary: 'Rejects a pending item; {"reason"} optional' })
  @ApiResponse({ status: 404, ...problemResponse('No such item for this tenant') })
  @ApiResponse({ status: 409, ...problemResponse('The item is not pending') })
  reject(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
  ) {
    return this.decide.execute(authorOf(tenant, who), id, 'rejected', reasonOf(body));
  }

  @Post('apply')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Applies approved items now (it also runs on a schedule) and announces them on learning.applied',
  })
  runApply() {
    return this.apply.execute();
  }

  @Get('similar')
  @RequireScope('read')
  @ApiOperation({
    summary:
      "The tenant's items similar to ?text= (cosine >= ?threshold=, default 0.85), most similar first",
  })
  findSimilar(
    @CurrentTenant() tenant: TenantRef,
    @Query() query: Record<string, string | undefined>,
  ) {
    return this.similar.execute(tenant.slug, query);
  }

  @Get('metrics')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Daily learning metrics and response performance per model version (?days=, default 30)',
  })
  getMetrics(@CurrentTenant() tenant: TenantRef, @Query('days') days?: string) {
    return this.metrics.execute(tenant.slug, days);
  }

  @Post('metrics/refresh')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({
    summary: 'Refreshes the materialized views now (they also refresh on a schedule)',
  })
  refresh() {
    return this.metrics.refresh();
  }
}
