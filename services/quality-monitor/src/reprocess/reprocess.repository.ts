import { Injectable } from '@nestjs/common';
import type { EnrichmentInput, StageName } from '@refinery/contracts';
import { DataSource } from 'typeorm';

/** Where a stage of a candidate stands, and where its input and output are in ENRICHMENT. */
export interface CandidateStage {
  status: string;
  at: Date;
  confidence: number | null;
  input_seq: number | null;
  output_seq: number | null;
  /** Kept by monitors before the batch reports; newer rows have sequences instead. */
  report: unknown;
}

/** A record that may need driving again, with where each of its stages stands. */
export interface Candidate {
  record_id: string;
  /** Where its records.received is in RECORDS. */
  input_seq: number | null;
  /** Kept by monitors before the batch reports: orders and exceptions only. */
  input: EnrichmentInput | null;
  requests: number;
  received_at: Date;
  stages: Record<string, CandidateStage>;
  escalated: string[];
}

export interface CandidateQuery {
  stuckAfterMs: number;
  cooldownMs: number;
  /** Answers of `gatedStage` below `minConfidence` older than `unsureAfterMs` are unsure. */
  gatedStage: StageName;
  minConfidence: number;
  unsureAfterMs: number;
  limit: number;
}

@Injectable()
export class ReprocessRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Records of the tenant that may need driving: not completed (or completed unsure), not
   * asked for within the cool-down, old enough to be stuck or with a FAILED stage.
   */
  candidates(tenant: string, q: CandidateQuery): Promise<Candidate[]> {
    return this.db.query(
      `SELECT r.record_id, r.input_seq::float8 AS input_seq, r.input,
              r.reprocess_requests AS requests, r.received_at,
              COALESCE(json_object_agg(s.stage, json_build_object('status', s.status,
                'at', COALESCE(s.last_attempt_at, s.event_at), 'confidence', s.confidence,
                'input_seq', s.input_seq, 'output_seq', s.output_seq,
                'report', s.report)) FILTER (WHERE s.stage IS NOT NULL), '{}') AS stages,
              ARRAY(SELECT e.stage FROM escalations e WHERE e.record_id = r.record_id) AS escalated
         FROM record_states r LEFT JOIN stage_states s USING (record_id)
        WHERE r.tenant = $1 AND r.received_at IS NOT NULL
          AND (r.reprocess_requested_at IS NULL
               OR r.reprocess_requested_at < now() - make_interval(secs => $3))
          AND (
            (r.completed_at IS NULL AND (r.received_at < now() - make_interval(secs => $2)
              OR EXISTS (SELECT 1 FROM stage_states f
                          WHERE f.record_id = r.record_id AND f.status = 'FAILED')))
            OR EXISTS (SELECT 1 FROM stage_states u
                        WHERE u.record_id = r.record_id AND u.stage = $6
                          AND u.status = 'COMPLETED' AND u.confidence < $4
                          AND u.event_at < now() - make_interval(secs => $5)))
        GROUP BY r.record_id
        ORDER BY r.received_at
        LIMIT $7`,
      [
        tenant,
        q.stuckAfterMs / 1000,
        q.cooldownMs / 1000,
        q.minConfidence,
        q.unsureAfterMs / 1000,
        q.gatedStage,
        q.limit,
      ],
    );
  }

  /** Counts a request for each record, and starts its cool-down. */
  async markRequested(tenant: string, recordIds: string[]): Promise<void> {
    if (recordIds.length === 0) return;
    await this.db.query(
      `UPDATE record_states SET reprocess_requests = reprocess_requests + 1,
              reprocess_requested_at = now()
        WHERE tenant = $1 AND record_id = ANY ($2::uuid[])`,
      [tenant, recordIds],
    );
  }
}
