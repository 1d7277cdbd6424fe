import { Inject, Injectable } from '@nestjs/common';
import { QUALITY_CONFIG, type QualityConfig } from '../config';
import { ReportRepository } from './report.repository';

/** The tenants the monitor follows: its one tenant, or every tenant it has seen. */
@Injectable()
export class ListTenantsUseCase {
  constructor(
    private readonly reports: ReportRepository,
    @Inject(QUALITY_CONFIG) private readonly config: QualityConfig,
  ) {}

  async execute(): Promise<string[]> {
    if (this.config.QUALITY_TENANT) return [this.config.QUALITY_TENANT];
    return this.reports.tenants();
  }
}
