import { Inject, Injectable } from '@nestjs/common';
import { QUALITY_CONFIG, type QualityConfig } from '../config';
import { defaultThresholds, type TenantThresholds } from './checks';
import { ThresholdsRepository } from './thresholds.repository';

/** The thresholds in force for a tenant: its overrides over the defaults. */
@Injectable()
export class GetThresholdsUseCase {
  /** The design's thresholds, as configured: what a tenant without overrides has. */
  readonly defaults: TenantThresholds;

  constructor(
    private readonly thresholds: ThresholdsRepository,
    @Inject(QUALITY_CONFIG) config: QualityConfig,
  ) {
    this.defaults = defaultThresholds(config);
  }

  async execute(tenant: string): Promise<TenantThresholds> {
    const levels = structuredClone(this.defaults);
    for (const row of await this.thresholds.overrides(tenant)) {
      if (row.value !== null && row.severity in levels[row.check_name])
        levels[row.check_name][row.severity] = row.value;
    }
    return levels;
  }
}
