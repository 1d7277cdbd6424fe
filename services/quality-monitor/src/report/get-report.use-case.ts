import { Inject, Injectable } from '@nestjs/common';
import { GATED_STAGE } from '@refinery/contracts';
import { QUALITY_CONFIG, type QualityConfig } from '../config';
import { ReportRepository } from './report.repository';
import { tenantReportOf, type TenantReport } from './tenant-report';

/** The per-tenant figures, computed from the projection on request. */
@Injectable()
export class GetReportUseCase {
  constructor(
    private readonly reports: ReportRepository,
    @Inject(QUALITY_CONFIG) private readonly config: QualityConfig,
  ) {}

  async execute(tenant: string): Promise<TenantReport> {
    const [records, stages, buckets] = await Promise.all([
      this.reports.recordFigures(tenant, this.config.QUALITY_GRACE_SECONDS),
      this.reports.stageFigures(tenant, this.config.ENRICHMENT_RETRY_SCHEDULE.length),
      this.reports.confidence(tenant, GATED_STAGE, this.config.ENRICHMENT_MIN_CONFIDENCE),
    ]);
    return tenantReportOf(tenant, records, stages, buckets);
  }

  /** What should always be 0, and the high-confidence rate. */
  async integrity(tenant: string) {
    const report = await this.execute(tenant);
    return {
      tenant: report.tenant,
      ...report.integrity,
      high_confidence_rate: report.high_confidence_rate,
    };
  }
}
