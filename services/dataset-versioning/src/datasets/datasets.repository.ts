import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Example, ExampleType, Tier } from '../examples/example';
import { tierOf } from '../examples/example';

export interface Dataset {
  id: string;
  tenant: string;
  name: string;
  description: string | null;
  created_by: string;
  created_at: string;
}

export interface Branch {
  id: string;
  dataset_id: string;
  name: string;
  head_commit_id: string | null;
}

/** A new version of an example, with what the quality score compares it by. */
export interface VersionRow {
  hash: string;
  example_id: string;
  type: ExampleType;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  labels: Record<string, unknown> | null;
  source_decision_id: string | null;
  class: string | null;
  text_key: string | null;
  quality_score?: number;
}

type Db = DataSource | EntityManager;

export const EXAMPLE_COLUMNS = `v.example_id AS id, encode(v.hash, 'hex') AS hash, v.example_type AS type,
  v.input_data AS input, v.expected_output AS output, v.labels, v.source_decision_id,
  v.quality_score::float8 AS quality_score, v.validation_status, v.validated_by`;

export const toExample = (row: Omit<Example, 'tier'>): Example => ({
  ...row,
  tier: row.quality_score === null ? null : (tierOf(row.quality_score) as Tier),
});

/** Datasets, branches and the versions of examples staged on them. */
@Injectable()
export class DatasetsRepository {
  constructor(readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async create(tenant: string, name: string, description: string | null, by: string) {
    return this.db.transaction(async (tx) => {
      const rows: Dataset[] = await tx.query(
        `INSERT INTO datasets (tenant, name, description, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant, name) DO NOTHING RETURNING *`,
        [tenant, name, description, by],
      );
      if (rows.length === 0) return undefined;
      await tx.query(`INSERT INTO branches (dataset_id, name) VALUES ($1, 'main')`, [rows[0].id]);
      return rows[0];
    });
  }

  async find(tenant: string, name: string, db: Db = this.db): Promise<Dataset | undefined> {
    const rows: Dataset[] = await db.query(
      `SELECT * FROM datasets WHERE tenant = $1 AND name = $2`,
      [tenant, name],
    );
    return rows[0];
  }

  list(tenant: string): Promise<Dataset[]> {
    return this.db.query(`SELECT * FROM datasets WHERE tenant = $1 ORDER BY name`, [tenant]);
  }

  /** The branch, locked for the rest of the transaction when `lock`: one writer per branch. */
  async branch(db: Db, datasetId: string, name: string, lock = false): Promise<Branch | undefined> {
    const rows: Branch[] = await db.query(
      `SELECT id, dataset_id, name, head_commit_id FROM branches WHERE dataset_id = $1 AND name = $2
       ${lock ? 'FOR UPDATE' : ''}`,
      [datasetId, name],
    );
    return rows[0];
  }

  branches(datasetId: string): Promise<(Branch & { head: string | null })[]> {
    return this.db.query(
      `SELECT b.id, b.dataset_id, b.name, b.head_commit_id, c.commit_hash AS head
         FROM branches b LEFT JOIN commits c ON c.id = b.head_commit_id
        WHERE b.dataset_id = $1 ORDER BY b.name`,
      [datasetId],
    );
  }

  async insertVersions(tx: Db, datasetId: string, rows: VersionRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO example_versions (hash, dataset_id, example_id, example_type, input_data,
                                     expected_output, labels, source_decision_id, class, text_key,
                                     quality_score)
       SELECT decode(r.hash, 'hex'), $1, r.example_id, r.type, r.input, r.output, r.labels,
              r.source_decision_id, r.class, r.text_key, r.quality_score
         FROM jsonb_to_recordset($2::jsonb) AS r(hash text, example_id uuid, type text, input jsonb,
              output jsonb, labels jsonb, source_decision_id text, class text, text_key text,
              quality_score numeric)
       ON CONFLICT (hash) DO NOTHING`,
      [datasetId, JSON.stringify(rows)],
    );
  }

  /**
   * Points the branch's working tree at these versions (null removes the example) and keeps
   * staged_changes as the difference from the head: the first `before` stays, and a change
   * undone leaves nothing staged.
   */
  async stage(tx: Db, branchId: string, changes: { example_id: string; hash: string | null }[]) {
    if (changes.length === 0) return;
    const ids = changes.map((c) => c.example_id);
    const hashes = changes.map((c) => c.hash);
    await tx.query(
      `INSERT INTO staged_changes (branch_id, example_id, before_hash, after_hash)
       SELECT $1, c.example_id, e.version_hash, decode(c.hash, 'hex')
         FROM unnest($2::uuid[], $3::text[]) AS c(example_id, hash)
         LEFT JOIN branch_entries e ON e.branch_id = $1 AND e.example_id = c.example_id
       ON CONFLICT (branch_id, example_id) DO UPDATE SET after_hash = EXCLUDED.after_hash`,
      [branchId, ids, hashes],
    );
    await tx.query(
      `DELETE FROM staged_changes WHERE branch_id = $1 AND example_id = ANY($2::uuid[])
          AND before_hash IS NOT DISTINCT FROM after_hash`,
      [branchId, ids],
    );
    await this.point(tx, branchId, changes);
  }

  /** Points the branch's working tree at these versions (null removes the example), unstaged. */
  async point(tx: Db, branchId: string, changes: { example_id: string; hash: string | null }[]) {
    if (changes.length === 0) return;
    await tx.query(
      `DELETE FROM branch_entries WHERE branch_id = $1 AND example_id = ANY($2::uuid[])`,
      [branchId, changes.filter((c) => c.hash === null).map((c) => c.example_id)],
    );
    const kept = changes.filter((c) => c.hash !== null);
    await tx.query(
      `INSERT INTO branch_entries (branch_id, example_id, version_hash)
       SELECT $1, c.example_id, decode(c.hash, 'hex')
         FROM unnest($2::uuid[], $3::text[]) AS c(example_id, hash)
       ON CONFLICT (branch_id, example_id) DO UPDATE SET version_hash = EXCLUDED.version_hash`,
      [branchId, kept.map((c) => c.example_id), kept.map((c) => c.hash)],
    );
  }

  /** The current version of each example on the branch's working tree. */
  async current(db: Db, branchId: string, ids: string[]): Promise<Map<string, Example>> {
    const rows: Omit<Example, 'tier'>[] = await db.query(
      `SELECT ${EXAMPLE_COLUMNS} FROM branch_entries e
         JOIN example_versions v ON v.hash = e.version_hash
        WHERE e.branch_id = $1 AND e.example_id = ANY($2::uuid[])`,
      [branchId, ids],
    );
    return new Map(rows.map((r) => [r.id, toExample(r)]));
  }

  async versions(db: Db, hashes: string[]): Promise<Map<string, Example>> {
    if (hashes.length === 0) return new Map();
    const rows: Omit<Example, 'tier'>[] = await db.query(
      `SELECT ${EXAMPLE_COLUMNS} FROM example_versions v WHERE v.hash = ANY($1::bytea[])`,
      [hashes.map((h) => Buffer.from(h, 'hex'))],
    );
    return new Map(rows.map((r) => [r.hash, toExample(r)]));
  }
}
