import { STAGES, type StageName, type StageStatus } from '@refinery/contracts';
import type { RecordFigures, StageStatusFigures } from './report.repository';
import { round } from '../shared/values';

export interface StageFigures {
  statuses: Partial<Record<StageStatus, number>>;
  avg_duration_ms: number | null;
  avg_retry_count: number | null;
  avg_confidence: number | null;
}

export interface TenantReport {
  tenant: string;
  generated_at: string;
  records: { received: number; completed: number; failed: number; backlog: number };
  /** Completed share of the records old enough to have finished (see QUALITY_GRACE_SECONDS). */
  completeness: number;
  failure_rate: number;
  success_rate: number;
  high_confidence_rate: number;
  quality_score: number;
  processed_last_hour: number;
  latency_ms: { avg: number | null; p50: number | null; p95: number | null };
  stages: Record<StageName, StageFigures>;
  /** What should always be 0 (or close), and records handed to a person. */
  integrity: {
    /** Received over a day ago, not complete, and not escalated to a person. */
    incomplete_after_day: number;
    /** Stage attempts retried more often than ENRICHMENT_RETRY_SCHEDULE has delays. */
    over_retry_limit: number;
    /** Records a stage escalated past its retry or reprocess limit. */
    escalated: number;
  };
  /** Classification confidence: records per tenth, from [0, 0.1) to [0.9, 1]. */
  confidence_histogram: { from: number; to: number; records: number }[];
}

export type ConfidenceBuckets = { bucket: number; records: number; high: number }[];

/** The report from what the projection holds: rates, score and per-stage means. */
export function tenantReportOf(
  tenant: string,
  records: RecordFigures,
  stageRows: StageStatusFigures[],
  buckets: ConfidenceBuckets,
): TenantReport {
  const { received, failed, completed } = records;
  const finished = completed + failed;
  const completeness = records.settled === 0 ? 1 : records.settledCompleted / records.settled;
  const failureRate = finished === 0 ? 0 : failed / finished;
  const classified = buckets.reduce((sum, b) => sum + b.records, 0);
  const high = buckets.reduce((sum, b) => sum + b.high, 0);
  const highConfidence = classified === 0 ? 1 : high / classified;
  // Half completeness, the rest split between confident answers and not failing.
  const score = 100 * (0.4 * completeness + 0.3 * highConfidence + 0.3 * (1 - failureRate));
  return {
    tenant,
    generated_at: new Date().toISOString(),
    records: { received, completed, failed, backlog: Math.max(0, received - finished) },
    completeness: round(completeness),
    failure_rate: round(failureRate),
    success_rate: round(1 - failureRate),
    high_confidence_rate: round(highConfidence),
    quality_score: round(score, 1),
    processed_last_hour: records.lastHour,
    latency_ms: records.latency,
    stages: stageFiguresOf(stageRows),
    integrity: {
      incomplete_after_day: records.incompleteAfterDay,
      over_retry_limit: stageRows.reduce((sum, r) => sum + r.over_limit, 0),
      escalated: records.escalated,
    },
    confidence_histogram: Array.from({ length: 10 }, (_, i) => ({
      from: i / 10,
      to: (i + 1) / 10,
      records: buckets.find((b) => b.bucket === i + 1)?.records ?? 0,
    })),
  };
}

function stageFiguresOf(rows: StageStatusFigures[]): Record<StageName, StageFigures> {
  const figures = STAGES.map((stage) => {
    const mine = rows.filter((r) => r.stage === stage);
    const total = mine.reduce((sum, r) => sum + r.count, 0);
    const mean = (key: 'avg_duration_ms' | 'avg_retry_count' | 'avg_confidence') => {
      const weighted = mine.filter((r) => r[key] !== null);
      const n = weighted.reduce((sum, r) => sum + r.count, 0);
      return n === 0 ? null : round(weighted.reduce((s, r) => s + Number(r[key]) * r.count, 0) / n);
    };
    const stageFigures: StageFigures = {
      statuses: Object.fromEntries(mine.map((r) => [r.status, r.count])),
      avg_duration_ms: mean('avg_duration_ms'),
      avg_retry_count: total === 0 ? null : mean('avg_retry_count'),
      avg_confidence: mean('avg_confidence'),
    };
    return [stage, stageFigures] as const;
  });
  return Object.fromEntries(figures) as Record<StageName, StageFigures>;
}
