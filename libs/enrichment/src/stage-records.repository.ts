import { Injectable } from '@nestjs/common';
import type { StageStatus } from '@refinery/contracts';
import { DataSource } from 'typeorm';

/** A record this stage may work on now: no final outcome yet, or a FAILED one driven again. */
export interface Claimed {
  record_id: string;
  retry_count: number;
  errors: string[];
  first_attempt_at: Date;
  /** How often the quality monitor drove it again after it FAILED, this request included. */
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

/** An outcome with what its claim knew: the row it creates, or the one it overwrites. */
export type ClaimedOutcome = Outcome &
  Pick<Claimed, 'first_attempt_at' | 'reprocess_count'> & { tenant: string };

/** A record this stage finished but whose events may not have reached JetStream. */
export interface Unpublished extends Omit<Outcome, 'finished_at' | 'confidence'> {
  first_attempt_at: Date;
  finished_at: Date;
}

const FINAL: readonly StageStatus[] = ['COMPLETED', 'SKIPPED', 'FAILED'];

type Stored = Unpublished & {
  published: boolean;
  reprocess_count: number;
  escalated_at: Date | null;
  confidence: number | null;
};

/** Whether the events of the stage_records row `row` reached JetStream, as SQL. */
export const publishedSql = (row: string) =>
  `(${row}.batch_id IS NULL OR EXISTS (SELECT 1 FROM published_batches p
                                        WHERE p.batch_id = ${row}.batch_id))`;

/**
 * The stage's own record of where each record stands. Every call is one statement for the
 * whole batch, and a batch writes each row once: the claim only reads, and the outcome
 * creates the row or overwrites one that is not final. Whether events got out is kept per
 * batch: a row names the batch that stored its outcome, and it counts as published once that
 * batch is in published_batches or its batch id was cleared.
 */
@Injectable()
export class StageRecordsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * The records this batch may work on: those with no row or no final outcome yet. A record
   * whose outcome is final is returned as unpublished when its events may not have got out. A
   * reprocess request may also claim a FAILED record, `reprocessLimit` times; past that, and
   * for a COMPLETED answer below `lowConfidence`, the record is returned as exhausted until it
   * is escalated. Claiming writes nothing: `save` takes a claimed record's outcome only while
   * no other attempt has finished it meanwhile.
   */
  async claim(
    records: readonly { id: string; tenant: string }[],
    reprocess?: { reprocessLimit: number; lowConfidence: number | null },
  ): Promise<{ claimed: Claimed[]; unpublished: Unpublished[]; exhausted: Exhausted[] }> {
    const found: Stored[] = await this.db.query(
      `SELECT record_id, status, retry_count, errors, first_attempt_at, finished_at, output,
              skip_reason, provider, model_version, duration_ms, escalated_at, confidence,
              reprocess_count, ${publishedSql('s')} AS published
         FROM stage_records s
        WHERE record_id = ANY ($1::uuid[])`,
      [records.map((r) => r.id)],
    );
    const byId = new Map(found.map((row) => [row.record_id, row]));
    const now = new Date();
    const claimed: Claimed[] = [];
    const unpublished: Unpublished[] = [];
    const exhausted: Exhausted[] = [];
    for (const { id } of records) {
      const row = byId.get(id);
      if (!row) {
        claimed.push({
          record_id: id,
          retry_count: 0,
          errors: [],
          first_attempt_at: now,
          reprocess_count: 0,
        });
        continue;
      }
      const failedAgain =
        row.status === 'FAILED' && row.reprocess_count < (reprocess?.reprocessLimit ?? 0);
      if (!FINAL.includes(row.status) || failedAgain) {
        claimed.push({
          record_id: id,
          retry_count: row.retry_count,
          errors: row.errors,
          first_attempt_at: row.first_attempt_at,
          reprocess_count: row.reprocess_count + (failedAgain ? 1 : 0),
        });
      } else if (!row.published) unpublished.push(row);
      else if (reprocess && row.escalated_at === null && isExhausted(row, reprocess.lowConfidence))
        exhausted.push(row);
    }
    return { claimed, unpublished, exhausted };
  }

  /**
   * Stores each record's outcome of this attempt, unpublished until `batchId` is, and returns
   * the ids it stored. An outcome is not stored over one another attempt made final meanwhile
   * (a redelivery ran beside a slow batch), unless it is a reprocess attempt of a FAILED
   * record and the first to store one.
   */
  async save(outcomes: readonly ClaimedOutcome[], batchId: string): Promise<Set<string>> {
    if (outcomes.length === 0) return new Set();
    const stored: { record_id: string }[] = await this.db.query(
      `INSERT INTO stage_records AS s (record_id, tenant, status, retry_count, errors,
              first_attempt_at, finished_at, output, confidence, skip_reason, provider,
              model_version, duration_ms, reprocess_count, batch_id)
       SELECT r.record_id, r.tenant, r.status, r.retry_count, r.errors, r.first_attempt_at,
              r.finished_at, r.output, r.confidence, r.skip_reason, r.provider, r.model_version,
              r.duration_ms, r.reprocess_count, $2
         FROM json_to_recordset($1::json) AS r(
              record_id uuid, tenant text, status text, retry_count integer, errors text[],
              first_attempt_at timestamptz, finished_at timestamptz, output json,
              confidence real, skip_reason text, provider text, model_version text,
              duration_ms real, reprocess_count integer)
       ON CONFLICT (record_id) DO UPDATE
          SET status = excluded.status, retry_count = excluded.retry_count,
              errors = excluded.errors, finished_at = excluded.finished_at,
              output = excluded.output, confidence = excluded.confidence,
              skip_reason = excluded.skip_reason, provider = excluded.provider,
              model_version = excluded.model_version, duration_ms = excluded.duration_ms,
              reprocess_count = excluded.reprocess_count, batch_id = excluded.batch_id,
              last_attempt_at = now(), updated_at = now()
        WHERE s.status <> ALL ($3::text[])
           OR (s.status = 'FAILED' AND s.reprocess_count < excluded.reprocess_count)
       RETURNING s.record_id`,
      [JSON.stringify(outcomes), batchId, FINAL],
    );
    return new Set(stored.map((row) => row.record_id));
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

/** FAILED, or an answer still below `lowConfidence`: a person has to look at it. */
const isExhausted = (row: Stored, lowConfidence: number | null) =>
  row.status === 'FAILED' ||
  (row.status === 'COMPLETED' &&
    lowConfidence !== null &&
    row.confidence !== null &&
    row.confidence < lowConfidence);
