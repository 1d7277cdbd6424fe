import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { TenantSlugSchema } from '@refinery/contracts';
import { CurrentPrincipal, RequireOperator, RequireScope, type Principal } from '@refinery/runtime';
import { z } from 'zod';
import { notFound, parseInput } from '../problems';
import { RunRulesUseCase } from './run-rules.use-case';
import { RunsRepository } from './runs.repository';
import { problemResponse } from './rules.openapi';
import { ViolationsRepository } from './violations.repository';

const limit = z.coerce.number().int().min(1).max(1000).default(100);
const RunsQuerySchema = z.strictObject({ limit, trigger: z.enum(['schedule', 'api']).optional() });
const ViolationsQuerySchema = z.strictObject({
  tenant: TenantSlugSchema.optional(),
  rule: z.string().max(100).optional(),
  record_id: z.uuid().optional(),
  limit,
});
const names = z.union([z.string(), z.array(z.string())]).optional();

@ApiTags('quality rules')
@ApiSecurity('api-key')
@Controller('api/quality')
export class RunsController {
  constructor(
    private readonly runRules: RunRulesUseCase,
    private readonly runs: RunsRepository,
    private readonly violations: ViolationsRepository,
  ) {}

  @Post('rules/run')
  @RequireOperator()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Run every enabled table rule, or those named by ?rule= (id or name, repeatable); the result in the Great Expectations shape',
  })
  @ApiQuery({ name: 'rule', required: false, isArray: true })
  @ApiResponse(problemResponse(404, 'A named rule does not exist'))
  run(@Query('rule') rule: unknown) {
    const selected = parseInput(names, rule, 'rule');
    return this.runRules.onDemand(selected === undefined ? [] : [selected].flat());
  }

  @Get('runs')
  @RequireOperator()
  @ApiOperation({ summary: 'Recent runs, newest first, without their results' })
  @ApiQuery({ name: 'trigger', required: false, enum: ['schedule', 'api'] })
  @ApiQuery({ name: 'limit', required: false })
  async list(@Query() query: unknown) {
    const { limit, trigger } = parseInput(RunsQuerySchema, query);
    return { runs: await this.runs.recent(limit, trigger) };
  }

  @Get('runs/:id')
  @RequireOperator()
  @ApiOperation({ summary: 'A stored run with every rule result' })
  @ApiResponse(problemResponse(404, 'No such run'))
  async get(@Param('id') id: string) {
    const run = await this.runs.find(parseInput(z.uuid(), id, 'id'));
    if (!run) throw notFound(`run ${id} does not exist`);
    return run;
  }

  @Get('violations')
  @RequireScope('read')
  @ApiOperation({ summary: 'Violations found in incoming records, newest first' })
  @ApiQuery({ name: 'tenant', required: false })
  @ApiQuery({ name: 'rule', required: false })
  @ApiQuery({ name: 'record_id', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async listViolations(@CurrentPrincipal() principal: Principal, @Query() query: unknown) {
    const filter = parseInput(ViolationsQuerySchema, query);
    // A tenant key sees its own tenant's violations only; the operator sees any.
    if (principal.kind === 'tenant') filter.tenant = principal.tenant.slug;
    return { violations: await this.violations.list(filter) };
  }
}
