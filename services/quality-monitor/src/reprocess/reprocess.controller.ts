import { Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RequireScope, type TenantRef } from '@refinery/runtime';
import { SweepCommand, SweepUseCase } from './sweep.use-case';

@ApiTags('enrichment')
@ApiSecurity('api-key')
@Controller('api/enrichment')
export class ReprocessController {
  constructor(private readonly sweep: SweepUseCase) {}

  @Post('process/:tenant')
  @RequireScope('admin')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Drives the incomplete records again now: FAILED stages, stages stuck longer than stuck_after (default QUALITY_STUCK_AFTER), unsure answers nobody labelled',
  })
  process(@CurrentTenant() tenant: TenantRef, @Query('stuck_after') stuckAfter?: string) {
    return this.sweep.execute(SweepCommand.from(tenant.slug, stuckAfter));
  }
}
