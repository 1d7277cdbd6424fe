import { Injectable } from '@nestjs/common';
import { GetReportUseCase } from '../report/get-report.use-case';
import { checkReport, type CheckResult } from './checks';
import { GetThresholdsUseCase } from './get-thresholds.use-case';

/** Each check of a tenant against its thresholds, now. */
@Injectable()
export class CheckHealthUseCase {
  constructor(
    private readonly reports: GetReportUseCase,
    private readonly thresholds: GetThresholdsUseCase,
  ) {}

  async checks(tenant: string): Promise<CheckResult[]> {
    const [report, levels] = await Promise.all([
      this.reports.execute(tenant),
      this.thresholds.execute(tenant),
    ]);
    return checkReport(report, levels);
  }

  /** OK, WARNING or CRITICAL: the worst check. */
  async execute(tenant: string) {
    const checks = await this.checks(tenant);
    const worst = (['CRITICAL', 'WARNING'] as const).find((s) =>
      checks.some((c) => c.status === s),
    );
    return { tenant, status: worst ?? 'OK', checks };
  }
}
