import { Inject, Injectable } from '@nestjs/common';
import { GATED_STAGE, STAGES, type StageName, type StageStatus } from '@refinery/contracts';
import { DataSource } from 'typeorm';
import { QUALITY_CONFIG, type QualityConfig } from '../config';

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

const round = (value: number, places = 4) => Math.round(value * 10 ** places) / 10 ** places;
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** The per-tenant figures, computed from the projection on request. */
@Injectable()
export class EnrichmentReport {
  constructor(
    private readonly db: DataSource,
    @Inject(QUALITY_CONFIG) private readonly config: QualityConfig,
  ) {}

  /** The tenants the monitor follows: its one tenant, or every tenant it has seen. */
  async tenants(): Promise<string[]> {
    if (this.config.QUALITY_TENANT) return [this.config.QUALITY_TENANT];
    const rows: { tenant: string }[] = await this.db.query(
      `SELECT DISTINCT tenant FROM record_states ORDER BY tenant`,
    );
    return rows.map((r) => r.tenant);
  }

  async report(tenant: string): Promise<TenantReport> {
    const [records, stages, histogram] = await Promise.all([
      this.recordFigures(tenant),
      this.stageFigures(tenant),
      this.confidence(tenant),
    ]);
    const received = records.received;
    const failed = records.failed;
    const completed = records.completed;
    const finished = completed + failed;
    const completeness = records.settled === 0 ? 1 : records.settledCompleted / records.settled;
    const failureRate = finished === 0 ? 0 : failed / finished;
    const classified = histogram.reduce((sum, b) => sum + b.records, 0);
    const highConfidence = classified === 0 ? 1 : histogram.high / classified;
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
      stages: stages.figures,
      integrity: {
        incomplete_after_day: records.incompleteAfterDay,
        over_retry_limit: stages.overRetryLimit,
        escalated: records.escalated,
      },
      confidence_histogram: histogram.map(({ from, to, records }) => ({ from, to, records })),
    };
  }

  /** Records awaiting processing, oldest first, with where each stage stands. */
  async backlog(tenant: string, limit: number) {
    const rows: { record_id: string; record_type: string; received_at: Date; stages: unknown }[] =
      await this.db.query(
        `SELECT r.record_id, r.record_type, r.received_at,
                COALESCE(json_object_agg(s.stage, json_build_object('status', s.status,
                  'retry_count', s.retry_count, 'last_attempt_at', s.last_attempt_at,
                  'errors', s.errors)) FILTER (WHERE s.stage IS NOT NULL), '{}') AS stages
           FROM record_states r LEFT JOIN stage_states s USING (record_id)
          WHERE r.tenant = $1 AND r.received_at IS NOT NULL AND r.completed_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM stage_states f
                             WHERE f.record_id = r.record_id AND f.status = 'FAILED')
          GROUP BY r.record_id ORDER BY r.received_at LIMIT $2`,
        [tenant, limit],
      );
    return rows.map((r) => ({ ...r, received_at: new Date(r.received_at).toISOString() }));
  }

  private async recordFigures(tenant: string) {
    const [row] = await this.db.query(
      `WITH r AS (
         SELECT rs.received_at, rs.completed_at, rs.latency_ms,
                rs.completed_at IS NULL AND EXISTS (SELECT 1 FROM stage_states s
                  WHERE s.record_id = rs.record_id AND s.status = 'FAILED') AS failed,
                rs.received_at < now() - make_interval(secs => $2) AS settled,
                EXISTS (SELECT 1 FROM escalations e WHERE e.record_id = rs.record_id) AS escalated
           FROM record_states rs WHERE rs.tenant = $1 AND rs.received_at IS NOT NULL)
       SELECT count(*)::int AS received,
              count(completed_at)::int AS completed,
              count(*) FILTER (WHERE failed)::int AS failed,
              count(*) FILTER (WHERE settled)::int AS settled,
              count(completed_at) FILTER (WHERE settled)::int AS settled_completed,
              count(*) FILTER (WHERE completed_at > now() - interval '1 hour')::int AS last_hour,
              count(*) FILTER (WHERE escalated)::int AS escalated,
              count(*) FILTER (WHERE completed_at IS NULL AND NOT escalated
                                 AND received_at < now() - interval '1 day')::int AS stale,
              avg(latency_ms) AS avg,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
         FROM r`,
      [tenant, this.config.QUALITY_GRACE_SECONDS],
    );
    return {
      received: row.received as number,
      completed: row.completed as number,
      failed: row.failed as number,
      settled: row.settled as number,
      settledCompleted: row.settled_completed as number,
      lastHour: row.last_hour as number,
      escalated: row.escalated as number,
      incompleteAfterDay: row.stale as number,
      latency: { avg: num(row.avg), p50: num(row.p50), p95: num(row.p95) },
    };
  }

  private async stageFigures(tenant: string) {
    const rows: {
      stage: StageName;
      status: StageStatus;
      count: number;
      over_limit: number;
      avg_duration_ms: string | null;
      avg_retry_count: string | null;
      avg_confidence: string | null;
    }[] = await this.db.query(
      `SELECT stage, status, count(*)::int AS count,
              count(*) FILTER (WHERE retry_count > $2)::int AS over_limit,
              avg(duration_ms) AS avg_duration_ms,
              avg(retry_count) AS avg_retry_count, avg(confidence) AS avg_confidence
         FROM stage_states WHERE tenant = $1 GROUP BY stage, status`,
      [tenant, this.config.ENRICHMENT_RETRY_SCHEDULE.length],
    );
    const figures = Object.fromEntries(
      STAGES.map((stage) => {
        const mine = rows.filter((r) => r.stage === stage);
        const total = mine.reduce((sum, r) => sum + r.count, 0);
        const mean = (key: 'avg_duration_ms' | 'avg_retry_count' | 'avg_confidence') => {
          const weighted = mine.filter((r) => r[key] !== null);
          const n = weighted.reduce((sum, r) => sum + r.count, 0);
          return n === 0
            ? null
            : round(weighted.reduce((s, r) => s + Number(r[key]) * r.count, 0) / n);
        };
        return [
          stage,
          {
            statuses: Object.fromEntries(mine.map((r) => [r.status, r.count])),
            avg_duration_ms: mean('avg_duration_ms'),
            avg_retry_count: total === 0 ? null : mean('avg_retry_count'),
            avg_confidence: mean('avg_confidence'),
          },
        ];
      }),
    );
    return {
      figures: figures as Record<StageName, StageFigures>,
      overRetryLimit: rows.reduce((sum, r) => sum + r.over_limit, 0),
    };
  }

  private async confidence(tenant: string) {
    const rows: { bucket: number; records: number; high: number }[] = await this.db.query(
      `SELECT LEAST(width_bucket(confidence, 0, 1, 10), 10) AS bucket, count(*)::int AS records,
              count(*) FILTER (WHERE confidence >= $2)::int AS high
         FROM stage_states
        WHERE tenant = $1 AND stage = $3 AND confidence IS NOT NULL
        GROUP BY 1`,
      [tenant, this.config.ENRICHMENT_MIN_CONFIDENCE, GATED_STAGE],
    );
    const buckets = Array.from({ length: 10 }, (_, i) => ({
      from: i / 10,
      to: (i + 1) / 10,
      records: rows.find((r) => r.bucket === i + 1)?.records ?? 0,
    }));
    return Object.assign(buckets, { high: rows.reduce((sum, r) => sum + r.high, 0) });
  }
}
