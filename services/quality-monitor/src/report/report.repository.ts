import { Injectable } from '@nestjs/common';
import type { StageName, StageStatus } from '@refinery/contracts';
import { DataSource } from 'typeorm';
import { iso, num } from '../shared/values';

export interface RecordFigures {
  received: number;
  completed: number;
  failed: number;
  settled: number;
  settledCompleted: number;
  lastHour: number;
  escalated: number;
  incompleteAfterDay: number;
  latency: { avg: number | null; p50: number | null; p95: number | null };
}

export interface StageStatusFigures {
  stage: StageName;
  status: StageStatus;
  count: number;
  over_limit: number;
  avg_duration_ms: string | null;
  avg_retry_count: string | null;
  avg_confidence: string | null;
}

/** What the report reads of the projection, one tenant at a time. */
@Injectable()
export class ReportRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Every tenant the projection has seen. One index probe per tenant, each for the next one up
   * (a loose index scan): DISTINCT read every row, 577 ms at 793,000 records against 1 ms.
   */
  async tenants(): Promise<string[]> {
    const rows: { tenant: string }[] = await this.db.query(
      `WITH RECURSIVE t AS (
         (SELECT tenant FROM record_states ORDER BY tenant LIMIT 1)
         UNION ALL
         SELECT (SELECT r.tenant FROM record_states r WHERE r.tenant > t.tenant
                  ORDER BY r.tenant LIMIT 1)
           FROM t WHERE t.tenant IS NOT NULL)
       SELECT tenant FROM t WHERE tenant IS NOT NULL`,
    );
    return rows.map((r) => r.tenant);
  }

  /** `graceSeconds`: younger records are not settled yet. */
  async recordFigures(tenant: string, graceSeconds: number): Promise<RecordFigures> {
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
      [tenant, graceSeconds],
    );
    return {
      received: row.received,
      completed: row.completed,
      failed: row.failed,
      settled: row.settled,
      settledCompleted: row.settled_completed,
      lastHour: row.last_hour,
      escalated: row.escalated,
      incompleteAfterDay: row.stale,
      latency: { avg: num(row.avg), p50: num(row.p50), p95: num(row.p95) },
    };
  }

  /** Per stage and status; `retryLimit`: more retries than this are over the limit. */
  stageFigures(tenant: string, retryLimit: number): Promise<StageStatusFigures[]> {
    return this.db.query(
      `SELECT stage, status, count(*)::int AS count,
              count(*) FILTER (WHERE retry_count > $2)::int AS over_limit,
              avg(duration_ms) AS avg_duration_ms,
              avg(retry_count) AS avg_retry_count, avg(confidence) AS avg_confidence
         FROM stage_states WHERE tenant = $1 GROUP BY stage, status`,
      [tenant, retryLimit],
    );
  }

  /** `stage`'s answers per tenth of confidence, and how many reach `high`. */
  confidence(
    tenant: string,
    stage: StageName,
    high: number,
  ): Promise<{ bucket: number; records: number; high: number }[]> {
    return this.db.query(
      `SELECT LEAST(width_bucket(confidence, 0, 1, 10), 10) AS bucket, count(*)::int AS records,
              count(*) FILTER (WHERE confidence >= $2)::int AS high
         FROM stage_states
        WHERE tenant = $1 AND stage = $3 AND confidence IS NOT NULL
        GROUP BY 1`,
      [tenant, high, stage],
    );
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
    return rows.map((r) => ({ ...r, received_at: iso(r.received_at) }));
  }
}
