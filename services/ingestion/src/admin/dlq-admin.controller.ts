import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ActingTenant, RequireOperator, type TenantRef } from '@refinery/runtime';
import { ManageDeadLettersUseCase } from '../dlq/manage-dead-letters.use-case';

const FILTERS = [
  { name: 'service', description: 'The service that gave up on it (dlq.<service>)' },
  {
    name: 'reason',
    description:
      'retries_exhausted, non_retryable, schema_violation, max_deliveries or tenant_mismatch',
  },
  { name: 'tenant', description: 'The tenant its original subject names' },
  { name: 'since', description: 'An ISO time, or a duration ago: 30m, 2h, 7d' },
  { name: 'until', description: 'An ISO time, or a duration ago' },
  { name: 'replayed', description: 'true: only those replayed already; false: only the others' },
];

/** Filters as query parameters, documented. */
const filterQueries = (...extra: { name: string; description: string }[]): MethodDecorator => {
  const decorators = [...FILTERS, ...extra].map((q) => ApiQuery({ ...q, required: false }));
  return (target, key, descriptor) => {
    for (const decorate of decorators) decorate(target, key, descriptor);
  };
};

/** A request of the operator's own, unless it says who it is for the record. */
const API_REPLAYER = 'operator (api)';

/**
 * The dead-letter queue, for the operator key only; `npm run admin -- dlq` does the same. A
 * tenant to filter on goes in `?tenant=` (the guard checks it exists), as on every route.
 */
@ApiTags('admin')
@ApiSecurity('api-key')
@Controller('v1/admin/dlq')
@RequireOperator()
export class DlqAdminController {
  constructor(private readonly deadLetters: ManageDeadLettersUseCase) {}

  @Get()
  @ApiOperation({
    summary:
      'Dead letters, oldest first, with whether each was replayed; ?limit= (50, at most 1000) and ?after=<seq> page',
  })
  @filterQueries(
    { name: 'after', description: 'The next_after of the previous page' },
    { name: 'limit', description: 'At most this many (default 50)' },
  )
  list(@ActingTenant() tenant: TenantRef | undefined, @Query() query: Record<string, unknown>) {
    return this.deadLetters.list(withTenant(query, tenant));
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Replays every dead letter that matches the filters in the body ({"service": "order-analysis", "reason": "retries_exhausted"}, or {"all": true}); those replayed before are skipped unless "force"; "dry_run", "limit", "by"',
  })
  replayMatching(@ActingTenant() tenant: TenantRef | undefined, @Body() body: unknown) {
    return this.deadLetters.replayMatching(withTenant(body, tenant), API_REPLAYER);
  }

  @Get(':seq')
  @ApiOperation({
    summary:
      'One dead letter by its DLQ sequence: original subject, stream and sequence, reason, error, deliveries, headers, payload and replays',
  })
  show(@Param('seq') seq: string) {
    return this.deadLetters.show(seq);
  }

  @Post(':seq/replay')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Republishes a dead letter to its original subject with a new message id, and records it; 409 if it was replayed before, unless {"force": true}; {"by": "<who>"} for the record',
  })
  replay(@Param('seq') seq: string, @Body() body: unknown) {
    return this.deadLetters.replay(seq, body, API_REPLAYER);
  }

  @Delete()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Removes the dead letters that match the query filters from the DLQ (?all=true for every one); ?dry_run=true lists them only',
  })
  @filterQueries(
    { name: 'all', description: 'true: purge with no filter' },
    { name: 'dry_run', description: 'true: say what would go, remove nothing' },
  )
  purge(@ActingTenant() tenant: TenantRef | undefined, @Query() query: Record<string, unknown>) {
    return this.deadLetters.purge(withTenant(query, tenant));
  }
}

/** The guard took `?tenant=` off the query once it found the tenant: it filters again here. */
function withTenant(input: unknown, tenant: TenantRef | undefined): unknown {
  if (!tenant) return input;
  const fields = typeof input === 'object' && input !== null ? input : {};
  return { ...fields, tenant: tenant.slug };
}
