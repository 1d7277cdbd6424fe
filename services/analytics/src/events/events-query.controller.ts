import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RequireScope, type TenantRef } from '@refinery/runtime';
import { DataSource } from 'typeorm';

@ApiTags('events')
@ApiSecurity('api-key')
@Controller('api/analytics/events')
export class EventsQueryController {
  constructor(private readonly db: DataSource) {}

  @Get('count')
  @RequireScope('read')
  @ApiOperation({
    summary: 'How many events analytics holds for the tenant, by kind: a way to see a load arrive',
  })
  async count(@CurrentTenant() tenant: TenantRef) {
    const rows: { kind: string; n: number }[] = await this.db.query(
      `SELECT kind, count(*)::int AS n FROM events WHERE tenant = $1 GROUP BY kind`,
      [tenant.slug],
    );
    return {
      events: rows.reduce((sum, r) => sum + r.n, 0),
      by_kind: Object.fromEntries(rows.map((r) => [r.kind, r.n])),
    };
  }
}
