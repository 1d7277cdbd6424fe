import { Injectable } from '@nestjs/common';
import type { StageStatus } from '@refinery/contracts';
import { DataSource } from 'typeorm';

/** A record this stage may work on now: it had no final outcome yet. */
export interface Claimed {
  record_id: string;
  retry_count: number;
  errors: string[];
  first_attempt_at: Date;
  /** How often the quality monitor drove it again after it FAILED. */
  reprocess_count: number;
}

/** A record past what retries can do (FAILED, or unsure) not handed to a person yet. */
export interface Exhausted {
  record_id: string;
  status: StageStatus;
  retry_count: number;
  errors: string[];
  output: unknown;
}

/** One attempt's result, as stored. */
export interface Outcome {
  record_id: string;
  status: StageStatus;
  retry_count: number;
  errors: string[];
  finished_at: string | null;
  output: unknown;
  confidence: number | null;
  skip_reason: string | null;
  provider: string | null;
  model_version: string | null;
  duration_ms: number;
}

/** A record this stage finished but whose events may not have reached JetStream. */
export interface Unpublished extends Omit<Outcome, 'finished_at' | 'confidence'> {
  first_attempt_at: Date;
  finished_at: Date;
}

const FINAL: readonly StageStatus[] = ['COMPLETED', 'SKIPPED', 'FAILED'];

/** Whether the events of the stage_records row `row` reached JetStream, as SQL. */
export const publishedSql = (row: string) =>
  `(${row}.batch_id IS NULL OR EXISTS (SELECT 1 FROM published_batches p
                                        WHERE p.batch_id = ${row}.batch_id))`;

/**
 * The stage's own record of where each record stands. Every call is one statement for the
 * whole batch: batches pass through three of them (claim, outcome, published). Whether events
 * got out is kept per batch: a row names the batch that stored its outcome, and it counts as
 * published once that batch is in published_batches or its batch id was cleared.
 */
@Injectable()
export class StageRecordsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Marks the records IN_PROGRESS and returns those it could claim; a record whose outcome
   * is already final is left alone and returned as finished instead. A reprocess request may
   * also claim a FAILED record, `reprocessLimit` times; past that, and for a COMPLETED answer
   * below `lowConfidence`, the record is returned as exhausted until it is escalated.
   */
  async claim(
    records: readonly { id: string; tenant: string }[],
    reprocess?: { reprocessLimit: number; lowConfidence: number | null },
  ): Promise<{ claimed: Claimed[]; unpublished: Unpublished[]; exhausted: Exhausted[] }> {
    const claimed: Claimed[] = await this.db.query(
      `INSERT INTO stage_records (record_id, tenant, status)
       SELECT r.id, r.tenant, 'IN_PROGRESS' FROM json_to_recordset($1::json) AS r(id uuid, tenant text)
       ON CONFLICT (record_id) DO UPDATE
         SET status = 'IN_PROGRESS', last_attempt_at = now(), updated_at = now(),
             reprocess_count = stage_records.reprocess_count
               + (stage_records.status = 'FAILED')::int
         WHERE stage_records.status <> ALL ($2::text[])
            OR (stage_records.status = 'FAILED' AND stage_records.reprocess_count < $3)
       RETURNING record_id, retry_count, errors, first_attempt_at, reprocess_count`,
      [JSON.stringify(records), FINAL, reprocess?.reprocessLimit ?? 0],
    );
    if (claimed.length === records.length) return { claimed, unpublished: [], exhausted: [] };
    const got = new Set(claimed.map((c) => c.record_id));
    const rest = records.filter((r) => !got.has(r.id)).map((r) => r.id);
    const finished: (Unpublished & { published: boolean })[] = await this.db.query(
      `SELECT * FROM (
         SELECT record_id, status, retry_count, errors, first_attempt_at, finished_at, output,
                skip_reason, provider, model_version, duration_ms, escalated_at, confidence,
                ${publishedSql('s')} AS published
           FROM stage_records s
          WHERE record_id = ANY ($1::uuid[])) f
        WHERE NOT published OR ($2 AND escalated_at IS NULL
              AND (status = 'FAILED' OR (status = 'COMPLETED' AND confidence < $3)))`,
      [rest, reprocess !== undefined, reprocess?.lowConfidence ?? null],
    );
    return {
      claimed,
      unpublished: finished.filter((f) => !f.published),
      exhausted: finished.filter((f) => f.published),
    };
  }

  /** Stores each record's outcome of this attempt, unpublished until `batchId` is. */
  async save(outcomes: readonly Outcome[], batchId: string): Promise<void> {
    if (outcomes.length === 0) return;
    await this.db.query(
      `UPDATE stage_records s
          SET status = r.status, retry_count = r.retry_count, errors = r.errors,
              finished_at = r.finished_at, output = r.output, confidence = r.confidence,
              skip_reason = r.skip_reason, provider = r.provider, model_version = r.model_version,
              duration_ms = r.duration_ms, batch_id = $2, updated_at = now()
         FROM json_to_recordset($1::json) AS r(
              record_id uuid, status text, retry_count integer, errors text[],
              finished_at timestamptz, output json, confidence real, skip_reason text,
              provider text, model_version text, duration_ms real)
        WHERE s.record_id = r.record_id`,
      [JSON.stringify(outcomes), batchId],
    );
  }

  /** A person was asked to look at these: a later request escalates them no more. */
  async markEscalated(recordIds: readonly string[]): Promise<void> {
    if (recordIds.length === 0) return;
    await this.db.query(
      `UPDATE stage_records SET escalated_at = now() WHERE record_id = ANY ($1::uuid[])`,
      [recordIds],
    );
  }

  /**
   * The batch's events reached JetStream, and so did those of `republished`, rows of earlier
   * batches whose events this batch sent again: a later delivery publishes none of them.
   */
  async markPublished(batchId: string | null, republished: readonly string[]): Promise<void> {
    if (batchId !== null)
      await this.db.query(
        `INSERT INTO published_batches (batch_id) VALUES ($1) ON CONFLICT DO NOTHING`,
        [batchId],
      );
    if (republished.length === 0) return;
    await this.db.query(
      `UPDATE stage_records SET batch_id = NULL WHERE record_id = ANY ($1::uuid[])`,
      [republished],
    );
  }
}
