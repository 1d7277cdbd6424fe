import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RequireScope, type TenantRef } from '@refinery/runtime';
import { IngestEventsCommand } from './ingest-events.command';
import { acceptedSchema, ingestBodySchema, problemResponse } from './ingest-events.openapi';
import { IngestEventsUseCase, IngestResponse } from './ingest-events.use-case';

@ApiTags('events')
@ApiSecurity('api-key')
@Controller('v1/events')
export class IngestEventsController {
  constructor(private readonly ingest: IngestEventsUseCase) {}

  @Post()
  @RequireScope('ingest')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Send one event, or {"events": [...]} with up to 1,000; answered once stored and published',
  })
  @ApiBody({ schema: ingestBodySchema })
  @ApiResponse({
    status: 202,
    description: 'Stored and published (or already known: status "duplicate")',
    schema: acceptedSchema,
  })
  @ApiResponse({
    status: 400,
    ...problemResponse('Invalid event(s); `errors` names every bad field by path'),
  })
  @ApiResponse({ status: 401, ...problemResponse('Missing or unknown x-api-key') })
  @ApiResponse({ status: 403, ...problemResponse('The key lacks the ingest scope') })
  @ApiResponse({ status: 413, ...problemResponse('Body or batch too large') })
  @ApiResponse({ status: 429, ...problemResponse('Over the tenant rate; see Retry-After') })
  ingestEvents(@CurrentTenant() tenant: TenantRef, @Body() body: unknown): Promise<IngestResponse> {
    return this.ingest.execute(tenant, IngestEventsCommand.fromBody(body));
  }
}
