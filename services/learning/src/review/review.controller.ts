import type { IncomingHttpHeaders } from 'node:http';
import { Controller, Get, Headers, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  credentialOf,
  CurrentTenant,
  problemResponse,
  RequireScope,
  type TenantRef,
} from '@refinery/runtime';
import { GetLabelingUseCase } from './get-labeling.use-case';
import { ListReviewQueueUseCase } from './list-review-queue.use-case';

/** What the review console reads; corrections and acceptances go through /api/feedback. */
@ApiTags('review')
@ApiSecurity('api-key')
@Controller('api/review')
export class ReviewController {
  constructor(
    private readonly queue: ListReviewQueueUseCase,
    private readonly labeling: GetLabelingUseCase,
  ) {}

  @Get('queue')
  @RequireScope('review')
  @ApiOperation({
    summary:
      'Records waiting for a person (review requested, low confidence or negative feedback, until corrected or accepted), oldest first; ?limit= (50, at most 200)',
  })
  @ApiResponse({ status: 400, ...problemResponse('`limit` is not a whole number from 1 to 200') })
  list(@CurrentTenant() tenant: TenantRef, @Query('limit') limit?: string) {
    return this.queue.execute(tenant.slug, { limit });
  }

  // The tenant is the key's, and dataset-versioning reads it from the same key; asking for it
  // here refuses the operator key, which has no datasets of its own.
  @Get('labeling')
  @RequireScope('read')
  @ApiOperation({
    summary:
      "The tenant's datasets with their labeling agreement and labelers, from dataset-versioning",
  })
  @ApiResponse({ status: 502, ...problemResponse('dataset-versioning cannot be reached') })
  labelingFigures(@CurrentTenant() _tenant: TenantRef, @Headers() headers: IncomingHttpHeaders) {
    return this.labeling.execute(credentialOf(headers) ?? '');
  }
}
