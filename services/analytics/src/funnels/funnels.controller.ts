import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, parseInput, RequireScope, type TenantRef } from '@refinery/runtime';
import { z } from 'zod';
import { isoDate } from '../shared/requests';
import { FunnelsUseCase } from './funnels.use-case';

const DAY = 86_400;
const Definition = z.strictObject({
  steps: z.array(z.string().min(1).max(200)).min(2).max(20),
  conversion_window_seconds: z
    .number()
    .int()
    .min(1)
    .max(365 * DAY)
    .default(7 * DAY),
  strict_order: z.boolean().default(true),
});
const Run = z.strictObject({
  from: isoDate,
  to: isoDate,
  breakdown: z.string().min(1).max(200).optional(),
});

@ApiTags('funnels')
@ApiSecurity('api-key')
@Controller('api/analytics/funnels')
export class FunnelsController {
  constructor(private readonly funnels: FunnelsUseCase) {}

  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Stores a funnel: {"name","steps","conversion_window_seconds" (7 days),"strict_order"}',
  })
  save(@CurrentTenant() tenant: TenantRef, @Body() body: unknown) {
    const { name, ...def } = parseInput(
      Definition.extend({ name: z.string().min(1).max(200) }),
      body,
    );
    return this.funnels.save(tenant.slug, name, def);
  }

  @Get()
  @RequireScope('read')
  list(@CurrentTenant() tenant: TenantRef) {
    return this.funnels.list(tenant.slug);
  }

  @Post('query')
  @HttpCode(200)
  @RequireScope('read')
  @ApiOperation({
    summary:
      'An ad-hoc funnel: {"steps","conversion_window_seconds","strict_order","from","to","breakdown"}',
  })
  query(@CurrentTenant() tenant: TenantRef, @Body() body: unknown) {
    const { from, to, breakdown, ...def } = parseInput(Definition.extend(Run.shape), body);
    return this.funnels.run(tenant.slug, def, { from, to, breakdown });
  }

  @Get(':name/report')
  @RequireScope('read')
  @ApiOperation({
    summary: 'A stored funnel over ?from=&to=, ?breakdown= a property of the first step',
  })
  report(
    @CurrentTenant() tenant: TenantRef,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ) {
    return this.funnels.runStored(tenant.slug, name, parseInput(Run, query));
  }
}
