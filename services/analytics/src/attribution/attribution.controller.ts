import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, parseInput, RequireScope, type TenantRef } from '@refinery/runtime';
import { z } from 'zod';
import { ORDER_EVENT } from '../events/event-rows';
import { isoDate } from '../shared/requests';
import { JourneysRepository } from './journeys.repository';
import { ALL_MODELS, attribute } from './models';

const AttributionQuery = z.strictObject({
  model: z.enum(ALL_MODELS).optional(),
  from: isoDate,
  to: isoDate,
  lookback_days: z.coerce.number().min(0.001).max(365).default(30),
  half_life_days: z.coerce.number().min(0.001).max(365).default(7),
  conversion_event: z.string().min(1).max(200).default(ORDER_EVENT),
});

@ApiTags('attribution')
@ApiSecurity('api-key')
@Controller('api/analytics/attribution')
export class AttributionController {
  constructor(private readonly journeys: JourneysRepository) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Credit for the ?conversion_event= (Order Completed) conversions in [?from, ?to) per channel (the UTM source of touches), under ?model= (first_touch, last_touch, linear, time_decay with ?half_life_days=, position_based, markov) or all six; touches within ?lookback_days= (30)',
  })
  async get(@CurrentTenant() tenant: TenantRef, @Query() query: Record<string, unknown>) {
    const q = parseInput(AttributionQuery, query);
    const journeys = await this.journeys.journeys(
      tenant.slug,
      { from: q.from, to: q.to, lookbackDays: q.lookback_days },
      q.conversion_event,
    );
    const options = { lookback_days: q.lookback_days, half_life_days: q.half_life_days };
    const models = q.model ? [q.model] : ALL_MODELS;
    return {
      from: q.from,
      to: q.to,
      conversion_event: q.conversion_event,
      lookback_days: q.lookback_days,
      models: models.map((model) => attribute(journeys, { ...options, model })),
    };
  }
}
