import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequireOperator } from '@refinery/runtime';
import { problemResponse } from '../shared/openapi';
import { TableProfileUseCase } from './table-profile.use-case';
import { orphansRuleOf, tableNameOf } from './tables.command';

@ApiTags('quality rules')
@ApiSecurity('api-key')
@RequireOperator()
@Controller('api/quality')
export class TablesController {
  constructor(private readonly profile: TableProfileUseCase) {}

  @Get('completeness/:schema/:table')
  @ApiOperation({ summary: 'Non-null share of every column of a table' })
  @ApiResponse(problemResponse(404, 'No such table, or the read-only role may not read it'))
  completeness(@Param('schema') schema: string, @Param('table') table: string) {
    return this.profile.completeness(tableNameOf(schema, table));
  }

  @Get('orphans/:schema/:table')
  @ApiOperation({ summary: 'Rows whose column points at no row of the referenced table' })
  @ApiQuery({ name: 'column', required: true })
  @ApiQuery({ name: 'references', required: true, description: 'schema.table.column' })
  @ApiQuery({ name: 'id_column', required: false })
  @ApiResponse(problemResponse(400, 'An unknown table or column, named'))
  orphans(@Param('schema') schema: string, @Param('table') table: string, @Query() query: unknown) {
    return this.profile.orphans(orphansRuleOf(schema, table, query));
  }
}
