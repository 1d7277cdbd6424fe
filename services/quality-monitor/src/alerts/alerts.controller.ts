import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RequireScope, type TenantRef } from '@refinery/runtime';
import { AlertStatesRepository } from './alert-states.repository';
import { CheckHealthUseCase } from './check-health.use-case';
import { GetThresholdsUseCase } from './get-thresholds.use-case';
import { UpdateThresholdsCommand, UpdateThresholdsUseCase } from './update-thresholds.use-case';

/** A tenant's checks, the thresholds they are held to, and the alerts they raised. */
@ApiTags('enrichment')
@ApiSecurity('api-key')
@Controller('api/enrichment')
export class AlertsController {
  constructor(
    private readonly health: CheckHealthUseCase,
    private readonly thresholds: GetThresholdsUseCase,
    private readonly updateThresholds: UpdateThresholdsUseCase,
    private readonly alerts: AlertStatesRepository,
  ) {}

  @Get('health/:tenant')
  @RequireScope('read')
  @ApiOperation({
    summary: "OK, WARNING or CRITICAL, with each check against the tenant's thresholds",
  })
  getHealth(@CurrentTenant() tenant: TenantRef) {
    return this.health.execute(tenant.slug);
  }

  @Get('thresholds/:tenant')
  @RequireScope('read')
  @ApiOperation({ summary: "The tenant's alert thresholds: its overrides over the defaults" })
  async getThresholds(@CurrentTenant() { slug }: TenantRef) {
    return { tenant: slug, thresholds: await this.thresholds.execute(slug) };
  }

  @Put('thresholds/:tenant')
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Overrides thresholds for the tenant, e.g. {"completeness": {"warning": 0.9}}; null restores a default',
  })
  putThresholds(@CurrentTenant() tenant: TenantRef, @Body() body: unknown) {
    return this.updateThresholds.execute(UpdateThresholdsCommand.from(tenant.slug, body));
  }

  @Get('alerts/:tenant')
  @RequireScope('read')
  @ApiOperation({
    summary: "The tenant's alerts as last evaluated: firing or resolved, since when",
  })
  async getAlerts(@CurrentTenant() { slug }: TenantRef) {
    return { tenant: slug, alerts: await this.alerts.list(slug) };
  }
}
