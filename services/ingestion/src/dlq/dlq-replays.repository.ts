import type { DataSource, EntityManager } from 'typeorm';

/** One replay of a dead letter, as `dlq_replays` keeps it. */
export interface ReplayRow {
  dlq_seq: number;
  attempt: number;
  service: string;
  subject: string;
  msg_id: string;
  stream: string;
  stream_seq: number;
  duplicate: boolean;
  replayed_at: Date;
  replayed_by: string;
}

/** A dead letter as the table names it: its DLQ sequence and when it was stored. */
export interface LetterKey {
  seq: number;
  deadLetteredAt: Date;
}

const COLUMNS = `dlq_seq::float8 AS dlq_seq, attempt, service, subject, msg_id, stream,
                 stream_seq::float8 AS stream_seq, duplicate, replayed_at, replayed_by`;

/** Keeps the advisory locks of replays apart from any other lock in the database. */
const LOCK_CLASS = 0x444c51; // "DLQ"

/** What the operator replayed from the DLQ, in ingestion's schema. */
export class DlqReplaysRepository {
  constructor(private readonly db: DataSource) {}

  /** The replays of each letter, oldest first, by DLQ sequence; letters never replayed are absent. */
  async of(letters: readonly LetterKey[]): Promise<Map<number, ReplayRow[]>> {
    const byLetter = new Map<number, ReplayRow[]>();
    if (letters.length === 0) return byLetter;
    const rows: ReplayRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM dlq_replays r
         JOIN json_to_recordset($1::json) AS l(seq bigint, at timestamptz)
           ON r.dlq_seq = l.seq AND r.dead_lettered_at = l.at
        ORDER BY r.dlq_seq, r.attempt`,
      [JSON.stringify(letters.map((l) => ({ seq: l.seq, at: l.deadLetteredAt.toISOString() })))],
    );
    for (const row of rows) byLetter.set(row.dlq_seq, [...(byLetter.get(row.dlq_seq) ?? []), row]);
    return byLetter;
  }

  /**
   * Runs `replay` for one letter, one caller at a time: it sees the replays so far and returns
   * the row of its own, which is stored only if it returns (a failed publish records nothing).
   */
  async replaying(
    letter: LetterKey,
    replay: (
      previous: ReplayRow[],
    ) => Promise<Omit<ReplayRow, 'dlq_seq' | 'replayed_at' | 'attempt'>>,
  ): Promise<ReplayRow> {
    return this.db.transaction(async (tx: EntityManager) => {
      await tx.query(`SELECT pg_advisory_xact_lock($1, $2)`, [
        LOCK_CLASS,
        letter.seq % 2_147_483_647,
      ]);
      const previous: ReplayRow[] = await tx.query(
        `SELECT ${COLUMNS} FROM dlq_replays
          WHERE dlq_seq = $1 AND dead_lettered_at = $2 ORDER BY attempt`,
        [letter.seq, letter.deadLetteredAt],
      );
      const row = await replay(previous);
      const [stored]: ReplayRow[] = await tx.query(
        `INSERT INTO dlq_replays (dlq_seq, dead_lettered_at, attempt, service, subject, msg_id,
                                  stream, stream_seq, duplicate, replayed_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         RETURNING ${COLUMNS}`,
        [
          letter.seq,
          letter.deadLetteredAt,
          previous.length + 1,
          row.service,
          row.subject,
          row.msg_id,
          row.stream,
          row.stream_seq,
          row.duplicate,
          row.replayed_by,
        ],
      );
      return stored;
    });
  }
}
