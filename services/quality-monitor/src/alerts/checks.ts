import type { AlertSeverity } from '@refinery/contracts';
import { z } from 'zod';
import type { QualityConfig } from '../config';
import type { TenantReport } from '../report/tenant-report';

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
export const definition = (name: CheckName): CheckDefinition => CHECKS[name];
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

export const summaryOf = (check: CheckResult, threshold: number) =>
  CHECKS[check.name].summary
    .replace('{value}', String(check.value))
    .replace('{threshold}', String(threshold));

/** The design's thresholds, from the configuration. */
export const defaultThresholds = (config: QualityConfig): TenantThresholds =>
  Object.fromEntries(
    CHECK_NAMES.map((name) => [name, { ...definition(name).defaults(config) }]),
  ) as TenantThresholds;

/** Each check's value against the tenant's thresholds; a critical outranks a warning. */
export function checkReport(report: TenantReport, thresholds: TenantThresholds): CheckResult[] {
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
