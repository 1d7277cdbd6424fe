import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { EXAMPLE_COLUMNS, toExample } from '../datasets/datasets.repository';
import type { Example } from '../examples/example';

export interface Session {
  id: string;
  dataset_id: string;
  labeler_id: string;
  session_type: 'initial_labeling' | 'validation' | 'correction';
  branch: string;
  started_at: string;
  ended_at: string | null;
  examples_labeled: number;
}

type Db = DataSource | EntityManager;

/** Labeling sessions, what `next` served, and the history of every label given. */
@Injectable()
export class LabelingRepository {
  constructor(readonly db: DataSource) {}

  async start(datasetId: string, labeler: string, type: string, branch: string): Promise<Session> {
    const [row] = await this.db.query(
      `INSERT INTO labeling_sessions (dataset_id, labeler_id, session_type, branch)
       VALUES ($1, $2, $3, $4) RETURNING *`,
      [datasetId, labeler, type, branch],
    );
    return row;
  }

  async session(tenant: string, id: string, db: Db = this.db): Promise<Session | undefined> {
    const rows: Session[] = await db.query(
      `SELECT s.* FROM labeling_sessions s JOIN datasets d ON d.id = s.dataset_id
        WHERE s.id = $1 AND d.tenant = $2`,
      [id, tenant],
    );
    return rows[0];
  }

  async end(id: string): Promise<Session> {
    const [[row]] = await this.db.query(
      `UPDATE labeling_sessions SET ended_at = coalesce(ended_at, now()) WHERE id = $1 RETURNING *`,
      [id],
    );
    return row;
  }

  /**
   * Examples on the branch a labeler may be served: of the type and status asked, not yet
   * labelled by this labeler, and with fewer than `overlap` labelers (labels given plus
   * examples served in open sessions and not yet answered).
   */
  async eligible(
    session: Session,
    branchId: string,
    filter: { type?: string; status: string; overlap: number; limit: number },
  ): Promise<Example[]> {
    const rows: Omit<Example, 'tier'>[] = await this.db.query(
      `SELECT ${EXAMPLE_COLUMNS} FROM branch_entries e JOIN example_versions v ON v.hash = e.version_hash
        WHERE e.branch_id = $1 AND v.validation_status = $2 AND ($3::text IS NULL OR v.example_type = $3)
          AND NOT EXISTS (SELECT 1 FROM label_history h
                           WHERE h.dataset_id = $4 AND h.example_id = e.example_id AND h.labeler_id = $5)
          AND (SELECT count(DISTINCT who) FROM (
                 SELECT h.labeler_id AS who FROM label_history h
                  WHERE h.dataset_id = $4 AND h.example_id = e.example_id
                 UNION
                 SELECT s.labeler_id FROM label_assignments a JOIN labeling_sessions s ON s.id = a.session_id
                  WHERE a.example_id = e.example_id AND s.dataset_id = $4 AND s.ended_at IS NULL
                    AND a.session_id <> $6) w) < $7
        ORDER BY v.created_at, e.example_id LIMIT $8`,
      [
        branchId,
        filter.status,
        filter.type ?? null,
        session.dataset_id,
        session.labeler_id,
        session.id,
        filter.overlap,
        filter.limit,
      ],
    );
    return rows.map(toExample);
  }

  async serve(sessionId: string, exampleId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO label_assignments (session_id, example_id) VALUES ($1, $2)
       ON CONFLICT (session_id, example_id) DO UPDATE SET served_at = now()`,
      [sessionId, exampleId],
    );
  }

  /** Records a label; the previous value is the labeler's own last label, else the example's. */
  async record(
    tx: EntityManager,
    session: Session,
    entry: {
      example_id: string;
      label_type: string;
      value: unknown;
      fallback: unknown;
      confidence: number | null;
      notes: string | null;
    },
  ) {
    const [row] = await tx.query(
      `INSERT INTO label_history (dataset_id, example_id, session_id, labeler_id, label_type, label_value,
                                  previous_value, confidence, notes, seconds_spent)
       SELECT $1, $2, $3, $4, $5, $6,
              coalesce((SELECT h.label_value FROM label_history h
                         WHERE h.dataset_id = $1 AND h.example_id = $2 AND h.labeler_id = $4
                         ORDER BY h.created_at DESC LIMIT 1), $7),
              $8, $9,
              (SELECT extract(epoch FROM now() - a.served_at) FROM label_assignments a
                WHERE a.session_id = $3 AND a.example_id = $2)
       RETURNING id, example_id, labeler_id, label_type, label_value, previous_value,
                 confidence::float8 AS confidence, notes, seconds_spent::float8 AS seconds_spent, created_at`,
      [
        session.dataset_id,
        entry.example_id,
        session.id,
        session.labeler_id,
        entry.label_type,
        JSON.stringify(entry.value),
        JSON.stringify(entry.fallback),
        entry.confidence,
        entry.notes,
      ],
    );
    await tx.query(
      `UPDATE labeling_sessions SET examples_labeled = examples_labeled + 1 WHERE id = $1`,
      [session.id],
    );
    await tx.query(`DELETE FROM label_assignments WHERE session_id = $1 AND example_id = $2`, [
      session.id,
      entry.example_id,
    ]);
    return row;
  }

  /** Each labeler's latest label of each example, as text. */
  currentLabels(
    db: Db,
    datasetId: string,
    exampleIds?: string[],
  ): Promise<{ item: string; rater: string; label: string }[]> {
    return db.query(
      `SELECT DISTINCT ON (example_id, labeler_id) example_id AS item, labeler_id AS rater,
              CASE WHEN jsonb_typeof(label_value) = 'string' THEN label_value #>> '{}' ELSE label_value::text END AS label
         FROM label_history WHERE dataset_id = $1 AND ($2::uuid[] IS NULL OR example_id = ANY($2))
        ORDER BY example_id, labeler_id, created_at DESC`,
      [datasetId, exampleIds ?? null],
    );
  }

  /** Per labeler: sessions, labels, time per example, and agreement with Gold examples. */
  labelers(datasetId: string, branchId: string) {
    return this.db.query(
      `WITH latest AS (
         SELECT DISTINCT ON (h.example_id, h.labeler_id) h.*
           FROM label_history h WHERE h.dataset_id = $1
          ORDER BY h.example_id, h.labeler_id, h.created_at DESC),
       gold AS (
         SELECT e.example_id, v.class FROM branch_entries e JOIN example_versions v ON v.hash = e.version_hash
          WHERE e.branch_id = $2 AND v.quality_score >= 90)
       SELECT s.labeler_id AS labeler,
              count(DISTINCT s.id)::int AS sessions,
              (SELECT count(*) FROM label_history h WHERE h.dataset_id = $1 AND h.labeler_id = s.labeler_id)::int AS labels,
              round((SELECT count(*) FROM label_history h WHERE h.dataset_id = $1 AND h.labeler_id = s.labeler_id)::numeric
                    / count(DISTINCT s.id), 2)::float8 AS examples_per_session,
              (SELECT avg(seconds_spent) FROM label_history h
                WHERE h.dataset_id = $1 AND h.labeler_id = s.labeler_id)::float8 AS avg_seconds_per_example,
              (SELECT count(*) FROM latest l JOIN gold g USING (example_id) WHERE l.labeler_id = s.labeler_id)::int AS gold_labeled,
              (SELECT avg(CASE WHEN (l.label_value #>> '{}') = g.class THEN 1.0 ELSE 0.0 END)
                 FROM latest l JOIN gold g USING (example_id) WHERE l.labeler_id = s.labeler_id)::float8 AS agreement_with_gold
         FROM labeling_sessions s WHERE s.dataset_id = $1
        GROUP BY s.labeler_id ORDER BY s.labeler_id`,
      [datasetId, branchId],
    );
  }
}
