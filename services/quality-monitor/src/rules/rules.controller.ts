import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiOperation,
  ApiSecurity,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireOperator } from '@refinery/runtime';
import { ManageRulesUseCase } from './manage-rules.use-case';
import { jsonSchema, problemResponse } from '../shared/openapi';
import { RuleSchema } from './rule-definition';
import { ruleFilterOf, ruleOf, rulePatchOf } from './rules.command';

@ApiTags('quality rules')
@ApiSecurity('api-key')
@RequireOperator()
@Controller('api/quality/rules')
export class RulesController {
  constructor(private readonly rules: ManageRulesUseCase) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Create a rule: not_null, range, regex, accepted_values, unique, foreign_key or custom_sql on schema.table, or a row-level rule on the payload of incoming records',
  })
  @ApiBody({ schema: jsonSchema(RuleSchema) })
  @ApiResponse(
    problemResponse(400, 'A bad field, an unknown table or column, or SQL that is not one SELECT'),
  )
  create(@Body() body: unknown) {
    return this.rules.create(ruleOf(body));
  }

  @Get()
  @ApiOperation({ summary: 'Every rule, by name' })
  @ApiQuery({ name: 'table', required: false, description: 'schema.table or payload' })
  @ApiQuery({ name: 'type', required: false })
  list(@Query() query: unknown) {
    return this.rules.list(ruleFilterOf(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One rule, by id or name' })
  @ApiResponse(problemResponse(404, 'No such rule'))
  get(@Param('id') id: string) {
    return this.rules.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change fields of a rule (null removes an optional one); not its type' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @ApiResponse(problemResponse(400, 'The rule as changed is not valid'))
  update(@Param('id') id: string, @Body() body: unknown) {
    return this.rules.update(id, rulePatchOf(body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rule; its past results stay readable in their runs' })
  delete(@Param('id') id: string) {
    return this.rules.delete(id);
  }
}
