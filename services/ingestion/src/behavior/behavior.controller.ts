import { applyDecorators, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, problemResponse, RequireScope, type TenantRef } from '@refinery/runtime';
import { BehaviorCallsCommand } from './behavior-calls.command';
import {
  batchBodySchema,
  batchSuccessSchema,
  identifyBodySchema,
  successSchema,
  trackBodySchema,
} from './behavior.openapi';
import { BehaviorResponse, PublishBehaviorUseCase } from './publish-behavior.use-case';

const KEY =
  'The API key goes in x-api-key, or as the HTTP Basic user name (how Segment SDKs send a write key).';

const errors = [
  { status: 400, ...problemResponse('Invalid call(s); `errors` names every bad field by path') },
  { status: 401, ...problemResponse('Missing or unknown API key') },
  { status: 403, ...problemResponse('The key lacks the ingest scope') },
  { status: 413, ...problemResponse('Body or batch too large') },
  { status: 429, ...problemResponse('Over the tenant rate; see Retry-After') },
];
/** A route of this API: 200 like Segment, and the errors every route has. */
const route = (...decorators: MethodDecorator[]) =>
  applyDecorators(HttpCode(200), ...decorators, ...errors.map((e) => ApiResponse(e)));

/** The Segment HTTP Tracking API: behavioural events, published on `records.behavior`. */
@ApiTags('behavior (Segment)')
@ApiSecurity('api-key')
@Controller('v1')
export class BehaviorController {
  constructor(private readonly publish: PublishBehaviorUseCase) {}

  @Post('track')
  @RequireScope('ingest')
  @route(
    ApiOperation({ summary: 'A Segment track call; answered once published', description: KEY }),
    ApiBody({ schema: trackBodySchema }),
    ApiResponse({ status: 200, description: 'Published', schema: successSchema }),
  )
  track(@CurrentTenant() tenant: TenantRef, @Body() body: unknown): Promise<BehaviorResponse> {
    return this.publish.execute(tenant, BehaviorCallsCommand.single('track', body));
  }

  @Post('identify')
  @RequireScope('ingest')
  @route(
    ApiOperation({ summary: 'A Segment identify call; answered once published', description: KEY }),
    ApiBody({ schema: identifyBodySchema }),
    ApiResponse({ status: 200, description: 'Published', schema: successSchema }),
  )
  identify(@CurrentTenant() tenant: TenantRef, @Body() body: unknown): Promise<BehaviorResponse> {
    return this.publish.execute(tenant, BehaviorCallsCommand.single('identify', body));
  }

  @Post('batch')
  @RequireScope('ingest')
  @route(
    ApiOperation({
      summary: 'Up to 1,000 track and identify calls; a bad call is refused alone',
      description: KEY,
    }),
    ApiBody({ schema: batchBodySchema }),
    ApiResponse({
      status: 200,
      description: 'The valid calls published; the others named in errors',
      schema: batchSuccessSchema,
    }),
  )
  batch(@CurrentTenant() tenant: TenantRef, @Body() body: unknown): Promise<BehaviorResponse> {
    return this.publish.execute(tenant, BehaviorCallsCommand.batch(body));
  }
}
