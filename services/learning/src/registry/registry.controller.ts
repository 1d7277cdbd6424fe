import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SERVED_MODELS } from '@refinery/contracts';
import {
  CurrentPrincipal,
  CurrentTenant,
  parseInput,
  problemResponse,
  RequireScope,
  type Principal,
  type TenantRef,
} from '@refinery/runtime';
import { z } from 'zod';
import { authorOf } from '../shared/actor';
import { ModelRegistryUseCase } from './model-registry.use-case';
import { StageModelUseCase } from './stage-model.use-case';
import { TrainModelsUseCase } from './train-models.use-case';

const Name = z.enum(SERVED_MODELS);
const Version = z.coerce.number().int().min(1);
const ReasonSchema = z.strictObject({ reason: z.string().trim().min(1).max(2000).optional() });
const TrainSchema = z.strictObject({
  dataset: z.string().min(1).max(200),
  ref: z.string().min(1).max(200).default('main'),
});

const path = (params: Record<string, string>) =>
  parseInput(z.object({ name: Name, version: Version.optional() }), params);

/** The model registry: list, compare, promote, roll back, train; and decision explanations. */
@ApiTags('models')
@ApiSecurity('api-key')
@Controller('api')
export class RegistryController {
  constructor(
    private readonly registry: ModelRegistryUseCase,
    private readonly stages: StageModelUseCase,
    private readonly training: TrainModelsUseCase,
  ) {}

  @Get('models')
  @RequireScope('read')
  @ApiOperation({
    summary: "The tenant's models, newest version first; ?name=classification|resolution",
  })
  list(@CurrentTenant() tenant: TenantRef, @Query() query: Record<string, unknown>) {
    const { name } = parseInput(z.object({ name: Name.optional() }), query);
    return this.registry.list(tenant.slug, name);
  }

  @Post('models/train')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Trains classification and resolution on a dataset commit {"dataset","ref"} and promotes each candidate that beats production',
  })
  @ApiResponse({ status: 404, ...problemResponse('No such dataset or ref') })
  @ApiResponse({ status: 502, ...problemResponse('dataset-versioning cannot be reached') })
  train(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Body() body: unknown,
  ) {
    const { dataset, ref } = parseInput(TrainSchema, body);
    const { actor } = authorOf(tenant, who);
    return this.registry.train(() =>
      this.training.execute({ tenant: tenant.slug, dataset, ref, actor, trigger: 'api' }),
    );
  }

  @Get('models/:name/compare')
  @RequireScope('read')
  @ApiOperation({
    summary: 'Two versions side by side: ?a=&b= (default: production and the newest)',
  })
  compare(
    @CurrentTenant() tenant: TenantRef,
    @Param() params: Record<string, string>,
    @Query() query: Record<string, unknown>,
  ) {
    const { name } = path(params);
    const { a, b } = parseInput(
      z.strictObject({ a: Version.optional(), b: Version.optional() }),
      query,
    );
    return this.registry.compare(tenant.slug, name, a, b);
  }

  @Post('models/:name/rollback')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Production goes back to the newest earlier version that served' })
  @ApiResponse({ status: 409, ...problemResponse('No earlier production model') })
  rollback(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Param() params: Record<string, string>,
    @Body() body: unknown,
  ) {
    const { name } = path(params);
    const { reason } = parseInput(ReasonSchema, body ?? {});
    return this.stages.rollback(tenant.slug, name, authorOf(tenant, who).actor, reason ?? null);
  }

  @Get('models/:name/:version')
  @RequireScope('read')
  @ApiOperation({
    summary: 'One version: lineage, metrics, the promotion decision and its stage history',
  })
  @ApiResponse({ status: 404, ...problemResponse('No such version') })
  show(@CurrentTenant() tenant: TenantRef, @Param() params: Record<string, string>) {
    const { name, version } = path(params);
    return this.registry.show(tenant.slug, name, version!);
  }

  @Post('models/:name/:version/promote')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({
    summary: 'Puts a version in production, archiving the one before; {"reason"} optional',
  })
  @ApiResponse({ status: 409, ...problemResponse('Already in production') })
  promote(
    @CurrentTenant() tenant: TenantRef,
    @CurrentPrincipal() who: Principal,
    @Param() params: Record<string, string>,
    @Body() body: unknown,
  ) {
    const { name, version } = path(params);
    const { reason } = parseInput(ReasonSchema, body ?? {});
    return this.stages.promote(
      tenant.slug,
      name,
      version!,
      authorOf(tenant, who).actor,
      reason ?? null,
    );
  }

  @Get('explanations/:record_id')
  @RequireScope('read')
  @ApiOperation({ summary: 'Why each model answered a record as it did, newest first' })
  explanations(@CurrentTenant() tenant: TenantRef, @Param('record_id') recordId: string) {
    return this.registry.explanations(tenant.slug, recordId);
  }
}
