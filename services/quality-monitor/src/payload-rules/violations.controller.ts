import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ActingTenant, RequireScope, type TenantRef } from '@refinery/runtime';
import { ListViolationsUseCase, violationFilterOf } from './list-violations.use-case';

@ApiTags('quality rules')
@ApiSecurity('api-key')
@Controller('api/quality')
export class ViolationsController {
  constructor(private readonly violations: ListViolationsUseCase) {}

  @Get('violations')
  @RequireScope('read')
  @ApiOperation({ summary: 'Violations found in incoming records, newest first' })
  @ApiQuery({ name: 'tenant', required: false })
  @ApiQuery({ name: 'rule', required: false })
  @ApiQuery({ name: 'record_id', required: false })
  @ApiQuery({ name: 'limit', required: false })
  list(@ActingTenant() tenant: TenantRef | undefined, @Query() query: unknown) {
    return this.violations.execute(violationFilterOf(tenant, query));
  }
}
