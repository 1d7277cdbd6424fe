import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequireOperator } from '@refinery/runtime';
import { problemResponse } from '../shared/openapi';
import { GetRunsUseCase } from './get-runs.use-case';
import { RunRulesUseCase } from './run-rules.use-case';
import { ruleNamesOf, runIdOf, runsQueryOf } from './runs.command';

@ApiTags('quality rules')
@ApiSecurity('api-key')
@RequireOperator()
@Controller('api/quality')
export class RunsController {
  constructor(
    private readonly runRules: RunRulesUseCase,
    private readonly runs: GetRunsUseCase,
  ) {}

  @Post('rules/run')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Run every enabled table rule, or those named by ?rule= (id or name, repeatable); the result in the Great Expectations shape',
  })
  @ApiQuery({ name: 'rule', required: false, isArray: true })
  @ApiResponse(problemResponse(404, 'A named rule does not exist'))
  run(@Query('rule') rule: unknown) {
    return this.runRules.onDemand(ruleNamesOf(rule));
  }

  @Get('runs')
  @ApiOperation({ summary: 'Recent runs, newest first, without their results' })
  @ApiQuery({ name: 'trigger', required: false, enum: ['schedule', 'api'] })
  @ApiQuery({ name: 'limit', required: false })
  list(@Query() query: unknown) {
    return this.runs.recent(runsQueryOf(query));
  }

  @Get('runs/:id')
  @ApiOperation({ summary: 'A stored run with every rule result' })
  @ApiResponse(problemResponse(404, 'No such run'))
  get(@Param('id') id: string) {
    return this.runs.execute(runIdOf(id));
  }
}
