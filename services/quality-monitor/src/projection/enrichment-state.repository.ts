import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EscalationRow, RecordRow, StageRow } from './state-rows';

/**
 * Writes the projection. Both statements are idempotent: a field once known is kept, and a
 * stage row only moves forward (final over PENDING, then the later event), so redelivered
 * and reordered events leave the same state behind.
 */
@Injectable()
export class EnrichmentStateRepository {
  constructor(private readonly db: DataSource) {}

  async apply(
    records: readonly RecordRow[],
    stages: readonly StageRow[],
    escalations: readonly EscalationRow[] = [],
  ): Promise<void> {
    if (records.length > 0) {
      await this.db.query(
        `INSERT INTO record_states (record_id, tenant, record_type, received_at, completed_at,
                latency_ms, input_seq)
         SELECT * FROM json_to_recordset($1::json) AS r(record_id uuid, tenant text,
                record_type text, received_at timestamptz, completed_at timestamptz, latency_ms real,
                input_seq bigint)
         ON CONFLICT (record_id) DO UPDATE SET
           record_type = COALESCE(record_states.record_type, EXCLUDED.record_type),
           received_at = COALESCE(record_states.received_at, EXCLUDED.received_at),
           completed_at = COALESCE(record_states.completed_at, EXCLUDED.completed_at),
           latency_ms = COALESCE(record_states.latency_ms, EXCLUDED.latency_ms),
           input_seq = COALESCE(record_states.input_seq, EXCLUDED.input_seq),
           updated_at = now()
         -- Only what adds a field: redelivered events write nothing.
         WHERE (record_states.record_type IS NULL AND EXCLUDED.record_type IS NOT NULL)
            OR (record_states.received_at IS NULL AND EXCLUDED.received_at IS NOT NULL)
            OR (record_states.completed_at IS NULL AND EXCLUDED.completed_at IS NOT NULL)
            OR (record_states.input_seq IS NULL AND EXCLUDED.input_seq IS NOT NULL)`,
        [JSON.stringify(records)],
      );
    }
    if (stages.length > 0) {
      await this.db.query(
        `INSERT INTO stage_states (record_id, stage, tenant, status, retry_count, last_attempt_at,
                errors, confidence, duration_ms, final, event_at, input_seq, output_seq)
         SELECT * FROM json_to_recordset($1::json) AS r(record_id uuid, stage text, tenant text,
                status text, retry_count integer, last_attempt_at timestamptz, errors text[],
                confidence real, duration_ms real, final boolean, event_at timestamptz,
                input_seq bigint, output_seq bigint)
         ON CONFLICT (record_id, stage) DO UPDATE SET
           status = EXCLUDED.status, retry_count = EXCLUDED.retry_count,
           last_attempt_at = EXCLUDED.last_attempt_at, errors = EXCLUDED.errors,
           confidence = EXCLUDED.confidence, duration_ms = EXCLUDED.duration_ms,
           final = EXCLUDED.final, event_at = EXCLUDED.event_at,
           input_seq = COALESCE(EXCLUDED.input_seq, stage_states.input_seq),
           output_seq = COALESCE(EXCLUDED.output_seq, stage_states.output_seq)
         WHERE (EXCLUDED.final, EXCLUDED.event_at) > (stage_states.final, stage_states.event_at)`,
        [JSON.stringify(stages)],
      );
    }
    if (escalations.length > 0) {
      await this.db.query(
        `INSERT INTO escalations (record_id, stage, tenant, reason, escalated_at)
         SELECT * FROM json_to_recordset($1::json) AS r(record_id uuid, stage text, tenant text,
                reason text, escalated_at timestamptz)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(escalations)],
      );
    }
  }
}
