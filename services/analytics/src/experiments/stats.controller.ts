import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { badRequest, parseInput, RequireScope } from '@refinery/runtime';
import { z } from 'zod';
import { welchTest } from './stats/means';
import { twoProportionTest } from './stats/proportions';
import { sampleSizePerVariant } from './stats/sample-size';

const alpha = z.number().gt(0).lt(1).default(0.05);
const Counts = z.strictObject({
  n: z.number().int().positive(),
  conversions: z.number().int().min(0),
});
const Summary = z.strictObject({
  n: z.number().int().min(2),
  mean: z.number(),
  sd: z.number().min(0),
});
const Proportions = z.strictObject({ control: Counts, treatment: Counts, alpha });
const Means = z.strictObject({ control: Summary, treatment: Summary, alpha });
const SampleSize = z.strictObject({
  baseline_rate: z.number().gt(0).lt(1),
  mde: z.number().gt(0).lt(1),
  alpha,
  power: z.number().gt(0).lt(1).default(0.8),
});

/** The statistics alone turn a RangeError into a 400 naming what is wrong. */
function checked<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof RangeError) throw badRequest([{ path: '(body)', message: error.message }]);
    throw error;
  }
}

/** The experiment tests over summary figures, for teams that bring their own counts. */
@ApiTags('experiments')
@ApiSecurity('api-key')
@Controller('api/analytics/stats')
export class StatsController {
  @Post('proportions')
  @HttpCode(200)
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Two-sided pooled two-proportion z-test: {"control":{"n","conversions"},"treatment":{...},"alpha"} -> lift, p_value and the unpooled Wald interval of the difference',
  })
  proportions(@Body() body: unknown) {
    const input = parseInput(Proportions, body);
    return checked(() => twoProportionTest(input));
  }

  @Post('means')
  @HttpCode(200)
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Welch\'s t-test: {"control":{"n","mean","sd"},"treatment":{...},"alpha"} -> lift, p_value, interval (Welch-Satterthwaite df)',
  })
  means(@Body() body: unknown) {
    const input = parseInput(Means, body);
    return checked(() => welchTest(input));
  }

  @Post('sample-size')
  @HttpCode(200)
  @RequireScope('read')
  @ApiOperation({
    summary:
      'Units per variant to detect an absolute difference `mde` from `baseline_rate` (two-sided, normal approximation)',
  })
  sampleSize(@Body() body: unknown) {
    const input = parseInput(SampleSize, body);
    return checked(() => sampleSizePerVariant(input));
  }
}
