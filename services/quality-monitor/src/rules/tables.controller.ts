import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiOperation,
  ApiSecurity,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireOperator } from '@refinery/runtime';
import { CleanseRequestSchema } from './cleanse-sql';
import { CleanseUseCase } from './cleanse.use-case';
import { parseInput } from '../problems';
import { cleanseBody, problemResponse } from './rules.openapi';
import { TableProfileUseCase } from './table-profile.use-case';

@ApiTags('quality rules')
@ApiSecurity('api-key')
@RequireOperator()
@Controller('api/quality')
export class TablesController {
  constructor(
    private readonly profile: TableProfileUseCase,
    private readonly cleanse: CleanseUseCase,
  ) {}

  @Get('completeness/:schema/:table')
  @ApiOperation({ summary: 'Non-null share of every column of a table' })
  @ApiResponse(problemResponse(404, 'No such table, or the read-only role may not read it'))
  completeness(@Param('schema') schema: string, @Param('table') table: string) {
    return this.profile.completeness(schema, table);
  }

  @Get('orphans/:schema/:table')
  @ApiOperation({ summary: 'Rows whose column points at no row of the referenced table' })
  @ApiQuery({ name: 'column', required: true })
  @ApiQuery({ name: 'references', required: true, description: 'schema.table.column' })
  @ApiQuery({ name: 'id_column', required: false })
  @ApiResponse(problemResponse(400, 'An unknown table or column, named'))
  orphans(@Param('schema') schema: string, @Param('table') table: string, @Query() query: unknown) {
    return this.profile.orphans(schema, table, query);
  }

  @Post('cleanse')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Trim, standardize emails, phones and dates, impute, deduplicate: a dry run by default, reporting rows changed per action with a before/after sample',
  })
  @ApiBody({ schema: cleanseBody })
  @ApiResponse(
    problemResponse(
      403,
      "A schema QUALITY_CLEANSE_SCHEMAS does not list (quality and auth never), or applying where the monitor's role may not write",
    ),
  )
  @ApiResponse(problemResponse(404, 'No such table'))
  run(@Body() body: unknown) {
    return this.cleanse.execute(parseInput(CleanseRequestSchema, body));
  }
}
