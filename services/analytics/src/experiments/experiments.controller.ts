import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  CurrentTenant,
  notFound,
  parseInput,
  RequireScope,
  type TenantRef,
} from '@refinery/runtime';
import { z } from 'zod';
import { ORDER_EVENT } from '../events/event-rows';
import { ExposuresRepository, type Unit } from './exposures.repository';
import {
  confidenceSequence,
  cuped,
  sampleRatioMismatch,
  summarize,
  twoProportionTest,
  welchTest,
} from './stats';

const ExperimentQuery = z.strictObject({
  control: z.string().min(1).max(200).default('control'),
  exposure_event: z.string().min(1).max(200).default('Experiment Viewed'),
  conversion_event: z.string().min(1).max(200).default(ORDER_EVENT),
  conversion_property: z.string().min(1).max(200).optional(),
  value_property: z.string().min(1).max(200).optional(),
  window_days: z.coerce.number().min(0.001).max(365).default(7),
  cuped_days: z.coerce.number().min(0).max(365).default(14),
  alpha: z.coerce.number().gt(0).lt(1).default(0.05),
  tuning_n: z.coerce.number().int().min(2).optional(),
});

/** An experiment read from its exposures: each variant against the control. */
@ApiTags('experiments')
@ApiSecurity('api-key')
@Controller('api/analytics/experiments')
export class ExperimentsController {
  constructor(private readonly exposures: ExposuresRepository) {}

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({
    summary:
      "Variants, sample-ratio check, conversion (fixed-horizon z-test and an always-valid confidence sequence) and value (Welch, and CUPED on the ?cuped_days= before exposure) of experiment :id, from users' first `Experiment Viewed`",
  })
  async get(
    @CurrentTenant() tenant: TenantRef,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ) {
    const q = parseInput(ExperimentQuery, query);
    const units = await this.exposures.units(tenant.slug, {
      experiment: id,
      exposureEvent: q.exposure_event,
      conversionProperty: q.conversion_property,
      conversionEvent: q.conversion_event,
      windowDays: q.window_days,
      valueProperty: q.value_property,
      preDays: q.cuped_days,
    });
    const arms = new Map<string, Unit[]>();
    for (const u of units) {
      const arm = arms.get(u.variant);
      if (arm) arm.push(u);
      else arms.set(u.variant, [u]);
    }
    if (arms.size === 0) throw notFound(`no exposures to experiment ${id}`);
    const control = arms.get(q.control);
    if (!control)
      throw notFound(`experiment ${id} has no variant named ${q.control} (the control)`);
    const counts = (arm: Unit[]) => ({
      n: arm.length,
      conversions: arm.filter((u) => u.converted).length,
    });
    const variants = [...arms].map(([variant, arm]) => {
      const { n, conversions } = counts(arm);
      return {
        variant,
        exposed: n,
        conversions,
        conversion_rate: conversions / n,
        mean_value: arm.reduce((s, u) => s + u.value, 0) / n,
      };
    });
    const comparisons = [...arms]
      .filter(([variant]) => variant !== q.control)
      .map(([variant, arm]) => ({
        variant,
        conversion: twoProportionTest({
          control: counts(control),
          treatment: counts(arm),
          alpha: q.alpha,
        }),
        sequential: confidenceSequence({
          control: counts(control),
          treatment: counts(arm),
          alpha: q.alpha,
          tuning_n: q.tuning_n,
        }),
        ...(control.length >= 2 && arm.length >= 2
          ? {
              value: welchTest({
                control: summarize(
                  control.map((u) => u.value),
                  'control',
                ),
                treatment: summarize(
                  arm.map((u) => u.value),
                  'treatment',
                ),
                alpha: q.alpha,
              }),
              cuped: cupedOrNull(control, arm, q.alpha),
            }
          : {}),
      }));
    return {
      experiment: id,
      control: q.control,
      variants,
      srm: sampleRatioMismatch({ observed: variants.map((v) => v.exposed) }),
      comparisons,
    };
  }
}

/** CUPED needs a covariate that varies; without one it says so instead of dividing by zero. */
function cupedOrNull(control: Unit[], treatment: Unit[], alpha: number) {
  const arm = (units: Unit[]) => ({
    y: units.map((u) => u.value),
    x: units.map((u) => u.pre_value),
  });
  try {
    return cuped({ control: arm(control), treatment: arm(treatment), alpha });
  } catch (error) {
    if (error instanceof RangeError) return { unavailable: error.message };
    throw error;
  }
}
