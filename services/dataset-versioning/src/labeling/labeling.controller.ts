import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  CurrentTenant,
  parseInput,
  RequireScope,
  type Principal,
  type TenantRef,
} from '@refinery/runtime';
import { z } from 'zod';
import { CurateUseCase } from '../datasets/curate.use-case';
import { actorOf } from '../datasets/datasets.controller';
import { NAME } from '../datasets/requests';
import { EXAMPLE_TYPES, VALIDATION_STATUSES } from '../examples/example';
import { LabelingRepository } from './labeling.repository';
import { LabelingUseCase } from './labeling.use-case';
import { UNCERTAINTY_MEASURES } from './model-uncertainty';

const StartSchema = z.strictObject({
  dataset: NAME,
  session_type: z.enum(['initial_labeling', 'validation', 'correction']),
  branch: NAME.default('main'),
  /** The person labelling, when several share a key (the console's login); else the key. */
  labeler: z.string().trim().min(1).max(200).optional(),
});
const NextSchema = z.strictObject({
  type: z.enum(EXAMPLE_TYPES).optional(),
  status: z.enum(VALIDATION_STATUSES).default('pending'),
  order: z.enum(['created', 'uncertainty']).default('created'),
  measure: z.enum(UNCERTAINTY_MEASURES).default('margin'),
});
const SubmitSchema = z.strictObject({
  example_id: z.uuid(),
  label: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  confidence: z.number().min(0).max(1).optional(),
  notes: z.string().max(2000).optional(),
});
const DatasetQuerySchema = z.strictObject({
  dataset: NAME,
  type: z.enum(EXAMPLE_TYPES).optional(),
});

/** Labeling sessions: next example, submit, and the agreement between labelers. */
@ApiTags('labeling')
@ApiSecurity('api-key')
@Controller('api/labeling')
export class LabelingController {
  constructor(
    private readonly labeling: LabelingUseCase,
    private readonly sessions: LabelingRepository,
    private readonly curate: CurateUseCase,
  ) {}

  @Post('sessions')
  @HttpCode(201)
  @RequireScope('review')
  @ApiOperation({ summary: 'Starts a session: {"dataset","session_type","branch","labeler"}' })
  async start(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Body() body: unknown,
  ) {
    const b = parseInput(StartSchema, body);
    const dataset = await this.curate.dataset(tenant.slug, b.dataset);
    return this.sessions.start(dataset.id, b.labeler ?? actorOf(who), b.session_type, b.branch);
  }

  @Get('sessions/:id')
  @RequireScope('read')
  show(@CurrentTenant() tenant: TenantRef, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.labeling.session(tenant.slug, id);
  }

  @Post('sessions/:id/end')
  @HttpCode(200)
  @RequireScope('review')
  async end(@CurrentTenant() tenant: TenantRef, @Param('id', new ParseUUIDPipe()) id: string) {
    await this.labeling.session(tenant.slug, id);
    return this.sessions.end(id);
  }

  @Get('sessions/:id/next')
  @RequireScope('review')
  @ApiOperation({
    summary:
      'The next example to label: ?type=&status=pending&order=created|uncertainty&measure=margin|entropy; {"example":null} when none is left',
  })
  next(
    @CurrentTenant() tenant: TenantRef,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: Record<string, unknown>,
  ) {
    return this.labeling.next(tenant.slug, id, parseInput(NextSchema, query));
  }

  @Post('sessions/:id/submit')
  @HttpCode(201)
  @RequireScope('review')
  @ApiOperation({ summary: 'Labels an example: {"example_id","label","confidence","notes"}' })
  submit(
    @CurrentTenant() tenant: TenantRef,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
  ) {
    return this.labeling.submit(tenant.slug, id, parseInput(SubmitSchema, body));
  }

  @Get('agreement')
  @RequireScope('read')
  @ApiOperation({
    summary:
      "Agreement on ?dataset= (and ?type=): Cohen's kappa for two labelers, Fleiss' kappa, Krippendorff's alpha, per labeler",
  })
  async agreement(@CurrentTenant() tenant: TenantRef, @Query() query: Record<string, unknown>) {
    const q = parseInput(DatasetQuerySchema, query);
    return this.labeling.agreement(await this.curate.dataset(tenant.slug, q.dataset), q.type);
  }

  @Get('labelers')
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Per labeler of ?dataset=: sessions, examples per session, time per example, agreement with Gold',
  })
  async labelers(@CurrentTenant() tenant: TenantRef, @Query() query: Record<string, unknown>) {
    const q = parseInput(DatasetQuerySchema, query);
    return this.labeling.labelers(await this.curate.dataset(tenant.slug, q.dataset));
  }
}
