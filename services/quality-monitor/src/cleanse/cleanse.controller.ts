import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequireOperator } from '@refinery/runtime';
import { jsonSchema, problemResponse } from '../shared/openapi';
import { parseInput } from '@refinery/runtime';
import { CleanseRequestSchema } from './cleanse.command';
import { CleanseUseCase } from './cleanse.use-case';

@ApiTags('quality rules')
@ApiSecurity('api-key')
@RequireOperator()
@Controller('api/quality')
export class CleanseController {
  constructor(private readonly cleanse: CleanseUseCase) {}

  @Post('cleanse')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Trim, standardize emails, phones and dates, impute, deduplicate: a dry run by default, reporting rows changed per action with a before/after sample',
  })
  @ApiBody({ schema: jsonSchema(CleanseRequestSchema) })
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
