import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  CurrentTenant,
  jsonSchemaOf,
  problemResponse,
  RequireScope,
  type Principal,
  type TenantRef,
} from '@refinery/runtime';
import { ListQueueUseCase } from '../queue/list-queue.use-case';
import { authorOf } from '../shared/actor';
import {
  CorrectionBodySchema,
  RatingBodySchema,
  RecordCorrectionCommand,
  RecordRatingCommand,
} from './feedback.commands';
import { RecordCorrectionUseCase } from './record-correction.use-case';
import { RecordRatingUseCase } from './record-rating.use-case';

/** The design's three feedback endpoints; the tenant and the author come from the key. */
@ApiTags('feedback')
@ApiSecurity('api-key')
@Controller('api/feedback')
export class FeedbackController {
  constructor(
    private readonly rating: RecordRatingUseCase,
    private readonly correction: RecordCorrectionUseCase,
    private readonly queue: ListQueueUseCase,
  ) {}

  @Post('rating')
  @HttpCode(201)
  @RequireScope('review')
  @ApiOperation({
    summary:
      'Rates an enriched record; thumbs_down or a rating of 2 or less enqueues a learning item',
  })
  @ApiBody({ schema: jsonSchemaOf(RatingBodySchema) })
  @ApiResponse({
    status: 400,
    ...problemResponse('A field is missing or wrong; `errors` names it'),
  })
  @ApiResponse({ status: 404, ...problemResponse('The record is not known to learning (yet)') })
  rate(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Body() body: unknown,
  ) {
    return this.rating.execute(RecordRatingCommand.from(authorOf(tenant, who), body));
  }

  @Post('correction')
  @HttpCode(201)
  @RequireScope('review')
  @ApiOperation({
    summary:
      'Corrects the label, the action or both; urgent corrections are approved and applied at once, others wait for review',
  })
  @ApiBody({ schema: jsonSchemaOf(CorrectionBodySchema) })
  @ApiResponse({
    status: 400,
    ...problemResponse('A field is missing or wrong; `errors` names it'),
  })
  @ApiResponse({ status: 404, ...problemResponse('The record is not known to learning (yet)') })
  correct(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Body() body: unknown,
  ) {
    return this.correction.execute(RecordCorrectionCommand.from(authorOf(tenant, who), body));
  }

  @Get('pending')
  @RequireScope('read')
  @ApiOperation({
    summary: 'Learning items waiting for a decision, oldest first (at most 50, or ?limit=)',
  })
  pending(@CurrentTenant() tenant: TenantRef, @Query('limit') limit?: string) {
    return this.queue.execute(tenant.slug, { status: 'pending', limit });
  }
}
