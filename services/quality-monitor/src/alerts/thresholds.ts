import { Inject, Injectable } from '@nestjs/common';
import type { AlertSeverity } from '@refinery/contracts';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { QUALITY_CONFIG, type QualityConfig } from '../config';
import type { TenantReport } from '../report/enrichment-report';

export type CheckStatus = 'OK' | 'WARNING' | 'CRITICAL';

interface CheckDefinition {
  /** `below`: values under the threshold are bad; `above`: values over it. */
  bad: 'below' | 'above';
  value: (report: TenantReport) => number;
  defaults: (config: QualityConfig) => Partial<Record<AlertSeverity, number>>;
  /** What it means for the on-call engineer; `{value}` and `{threshold}` are filled in. */
  summary: string;
  /** Integrity checks hold everywhere: no tenant may tolerate lost records. */
  fixed?: boolean;
}

/** Every check the monitor alerts on, with the design's defaults. */
export const CHECKS = {
  completeness: {
    bad: 'below',
    value: (r) => r.completeness,
    defaults: (c) => ({
      critical: c.QUALITY_COMPLETENESS_CRITICAL,
      warning: c.QUALITY_COMPLETENESS_WARNING,
    }),
    summary: 'completeness is {value}, below {threshold}: records are not being fully enriched',
  },
  quality_score: {
    bad: 'below',
    value: (r) => r.quality_score,
    defaults: (c) => ({ critical: c.QUALITY_SCORE_CRITICAL, warning: c.QUALITY_SCORE_WARNING }),
    summary: 'quality score is {value}, below {threshold}',
  },
  backlog: {
    bad: 'above',
    value: (r) => r.records.backlog,
    defaults: (c) => ({ critical: c.QUALITY_BACKLOG_CRITICAL }),
    summary: '{value} records await processing, more than {threshold}',
  },
  failure_rate: {
    bad: 'above',
    value: (r) => r.failure_rate,
    defaults: (c) => ({ critical: c.QUALITY_FAILURE_RATE_CRITICAL }),
    summary: 'failure rate is {value}, above {threshold}: the AI provider is probably failing',
  },
  incomplete_after_day: {
    bad: 'above',
    value: (r) => r.integrity.incomplete_after_day,
    defaults: () => ({ critical: 0 }),
    fixed: true,
    summary: '{value} records are still incomplete a day after they arrived, and nobody was told',
  },
  over_retry_limit: {
    bad: 'above',
    value: (r) => r.integrity.over_retry_limit,
    defaults: () => ({ warning: 0 }),
    fixed: true,
    summary: '{value} records were retried more often than the retry limit allows',
  },
} satisfies Record<string, CheckDefinition>;

export type CheckName = keyof typeof CHECKS;
export const CHECK_NAMES = Object.keys(CHECKS) as CheckName[];
const definition = (name: CheckName): CheckDefinition => CHECKS[name];
export type TenantThresholds = Record<CheckName, Partial<Record<AlertSeverity, number>>>;

const level = z.number().finite().min(0);
/** A PUT body: any check, any of its severities; `null` goes back to the default. */
export const ThresholdsUpdateSchema = z.strictObject(
  Object.fromEntries(
    CHECK_NAMES.filter((name) => !definition(name).fixed).map((name) => [
      name,
      z
        .strictObject(
          Object.fromEntries(
            Object.keys(definition(name).defaults({} as QualityConfig)).map((s) => [
              s,
              level.nullable().optional(),
            ]),
          ),
        )
        .optional(),
    ]),
  ),
);
export type ThresholdsUpdate = Partial<
  Record<CheckName, Partial<Record<AlertSeverity, number | null>>>
>;

export interface CheckResult {
  name: CheckName;
  value: number;
  status: CheckStatus;
  thresholds: Partial<Record<AlertSeverity, number>>;
}

/** The thresholds in force for a tenant (its overrides over the defaults), and checks against them. */
@Injectable()
export class Thresholds {
  constructor(
    private readonly db: DataSource,
    @Inject(QUALITY_CONFIG) private readonly config: QualityConfig,
  ) {}

  async of(tenant: string): Promise<TenantThresholds> {
    const rows: { check_name: CheckName; severity: AlertSeverity; value: number }[] =
      await this.db.query(
        `SELECT check_name, severity, value FROM tenant_thresholds WHERE tenant = $1`,
        [tenant],
      );
    const out = Object.fromEntries(
      CHECK_NAMES.map((name) => [name, { ...definition(name).defaults(this.config) }]),
    ) as TenantThresholds;
    for (const row of rows) {
      if (row.severity in out[row.check_name]) out[row.check_name][row.severity] = row.value;
    }
    return out;
  }

  /** Stores a tenant's overrides; a warning must be gentler than its critical. */
  async update(tenant: string, update: ThresholdsUpdate): Promise<TenantThresholds> {
    const next = await this.of(tenant);
    const defaults = (name: CheckName) => definition(name).defaults(this.config);
    for (const [name, levels] of Object.entries(update) as [
      CheckName,
      ThresholdsUpdate[CheckName],
    ][]) {
      for (const [severity, value] of Object.entries(levels ?? {}) as [
        AlertSeverity,
        number | null,
      ][])
        next[name][severity] = value ?? defaults(name)[severity];
    }
    for (const name of CHECK_NAMES) {
      const { critical, warning } = next[name];
      if (critical === undefined || warning === undefined) continue;
      const gentler = definition(name).bad === 'below' ? warning >= critical : warning <= critical;
      if (!gentler) {
        throw new RangeError(
          `${name}: the warning threshold ${warning} must come before the critical ${critical}`,
        );
      }
    }
    const rows = CHECK_NAMES.flatMap((name) =>
      Object.entries(update[name] ?? {}).map(([severity, value]) => ({
        check_name: name,
        severity,
        value,
      })),
    );
    await this.db.transaction(async (tx) => {
      for (const row of rows) {
        if (row.value === null || row.value === undefined) {
          await tx.query(
            `DELETE FROM tenant_thresholds WHERE tenant = $1 AND check_name = $2 AND severity = $3`,
            [tenant, row.check_name, row.severity],
          );
        } else {
          await tx.query(
            `INSERT INTO tenant_thresholds (tenant, check_name, severity, value) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant, check_name, severity)
             DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
            [tenant, row.check_name, row.severity, row.value],
          );
        }
      }
    });
    return next;
  }

  /** Each check's value against the tenant's thresholds; a critical outranks a warning. */
  check(report: TenantReport, thresholds: TenantThresholds): CheckResult[] {
    return CHECK_NAMES.map((name) => {
      const def = definition(name);
      const value = def.value(report);
      const levels = thresholds[name];
      const crosses = (t: number | undefined) =>
        t !== undefined && (def.bad === 'below' ? value < t : value > t);
      const status: CheckStatus = crosses(levels.critical)
        ? 'CRITICAL'
        : crosses(levels.warning)
          ? 'WARNING'
          : 'OK';
      return { name, value, status, thresholds: levels };
    });
  }
}

export const summaryOf = (check: CheckResult, threshold: number) =>
  CHECKS[check.name].summary
    .replace('{value}', String(check.value))
    .replace('{threshold}', String(threshold));
