import { Injectable } from '@nestjs/common';
import type { AlertSeverity } from '@refinery/contracts';
import { badField, parseInput } from '@refinery/runtime';
import {
  CHECK_NAMES,
  definition,
  ThresholdsUpdateSchema,
  type TenantThresholds,
  type ThresholdsUpdate,
} from './checks';
import { GetThresholdsUseCase } from './get-thresholds.use-case';
import { ThresholdsRepository, type ThresholdOverride } from './thresholds.repository';

/** A PUT body: the tenant's overrides, each `null` going back to the default. */
export class UpdateThresholdsCommand {
  private constructor(
    readonly tenant: string,
    readonly overrides: ThresholdOverride[],
  ) {}

  static from(tenant: string, body: unknown): UpdateThresholdsCommand {
    const update = parseInput(ThresholdsUpdateSchema, body, 'body') as ThresholdsUpdate;
    const overrides = CHECK_NAMES.flatMap((check_name) =>
      Object.entries(update[check_name] ?? {}).map(([severity, value]) => ({
        check_name,
        severity: severity as AlertSeverity,
        value: value ?? null,
      })),
    );
    return new UpdateThresholdsCommand(tenant, overrides);
  }
}

/** Stores a tenant's overrides; a warning must be gentler than its critical (400 otherwise). */
@Injectable()
export class UpdateThresholdsUseCase {
  constructor(
    private readonly current: GetThresholdsUseCase,
    private readonly thresholds: ThresholdsRepository,
  ) {}

  async execute({ tenant, overrides }: UpdateThresholdsCommand) {
    const next = await this.current.execute(tenant);
    for (const { check_name, severity, value } of overrides)
      next[check_name][severity] = value ?? this.current.defaults[check_name][severity];
    refuseInverted(next);
    await this.thresholds.save(tenant, overrides);
    return { tenant, thresholds: next };
  }
}

function refuseInverted(levels: TenantThresholds): void {
  for (const name of CHECK_NAMES) {
    const { critical, warning } = levels[name];
    if (critical === undefined || warning === undefined) continue;
    const gentler = definition(name).bad === 'below' ? warning >= critical : warning <= critical;
    if (!gentler)
      throw badField(
        'body',
        `${name}: the warning threshold ${warning} must come before the critical ${critical}`,
      );
  }
}
