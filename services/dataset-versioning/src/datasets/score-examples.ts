import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  inputText,
  normalized,
  scoreExample,
  textKey,
  type DatasetContext,
  type QualityScore,
} from '../examples/quality';
import { DatasetsRepository, EXAMPLE_COLUMNS, toExample } from './datasets.repository';
import type { Example } from '../examples/example';

/** What scoring reads of an example. */
export type ScoredExample = Pick<Example, 'id' | 'hash' | 'type' | 'input' | 'output' | 'labels'>;

const BATCH = 2_000;
const CLASS_SAMPLE = 50_000;

/** Scores versions against the rest of a branch's working tree and stores every part. */
@Injectable()
export class ScoreExamples {
  constructor(private readonly datasets: DatasetsRepository) {}

  /** Scores versions (not stored yet) against the branch's working tree. */
  async score(tx: EntityManager, branchId: string, examples: ScoredExample[]) {
    const scores = await this.scoreAll(tx, branchId, examples);
    return new Map(examples.map((e, i) => [e.hash, scores[i]]));
  }

  /** Every example on the branch, in batches; returns how many landed in each tier. */
  async validateBranch(tx: EntityManager, datasetId: string, branchId: string, by: string) {
    const tiers: Record<string, number> = { gold: 0, silver: 0, bronze: 0, rejected: 0 };
    for (let after = '00000000-0000-0000-0000-000000000000'; ;) {
      const rows: Omit<Example, 'tier'>[] = await tx.query(
        `SELECT ${EXAMPLE_COLUMNS} FROM branch_entries e JOIN example_versions v ON v.hash = e.version_hash
          WHERE e.branch_id = $1 AND e.example_id > $2 ORDER BY e.example_id LIMIT $3`,
        [branchId, after, BATCH],
      );
      if (rows.length === 0) break;
      const examples = rows.map(toExample);
      const scores = await this.scoreAll(tx, branchId, examples);
      await this.store(tx, examples, scores, by);
      for (const s of scores) tiers[s.tier]++;
      after = rows[rows.length - 1].id;
    }
    const total = Object.values(tiers).reduce((a, b) => a + b, 0);
    return { examples: total, tiers, validated: total - tiers.rejected, rejected: tiers.rejected };
  }

  private async scoreAll(tx: EntityManager, branchId: string, examples: ScoredExample[]) {
    const context = await this.context(tx, branchId, examples);
    return examples.map((e) => scoreExample({ ...e, validated_by: null }, context));
  }

  private async context(
    tx: EntityManager,
    branchId: string,
    examples: ScoredExample[],
  ): Promise<DatasetContext> {
    // Shares from at most CLASS_SAMPLE examples: ids are random UUIDs, so the first ones in id
    // order are a fair sample, the same one for the same tree. Counting a million-example
    // branch would cost each staging request over a second.
    const classes: { type: string; class: string; n: number }[] = await tx.query(
      `SELECT v.example_type AS type, v.class, count(*)::int AS n
         FROM (SELECT version_hash FROM branch_entries WHERE branch_id = $1
                ORDER BY example_id LIMIT $2) e
         JOIN example_versions v ON v.hash = e.version_hash
        WHERE v.class IS NOT NULL GROUP BY 1, 2`,
      [branchId, CLASS_SAMPLE],
    );
    const totals = new Map<string, number>();
    const kinds = new Map<string, number>();
    for (const c of classes) {
      totals.set(c.type, (totals.get(c.type) ?? 0) + c.n);
      kinds.set(c.type, (kinds.get(c.type) ?? 0) + 1);
    }
    const count = new Map(classes.map((c) => [`${c.type}\u0000${c.class}`, c.n]));
    const keys = examples.map((e) => textKey(normalized(inputText(e.input))));
    const sameText: { id: string; type: string; text_key: string; class: string | null }[] =
      await tx.query(
        `SELECT v.example_id AS id, v.example_type AS type, v.text_key, v.class
         FROM branch_entries e JOIN example_versions v ON v.hash = e.version_hash
        WHERE e.branch_id = $1 AND v.text_key = ANY($2::text[])`,
        [branchId, keys],
      );
    return {
      classShare: (type, cls) => (count.get(`${type}\u0000${cls}`) ?? 0) / (totals.get(type) || 1),
      classCount: (type) => Math.max(1, kinds.get(type) ?? 1),
      classesOfSameText: (text, exampleId, type) => {
        const key = textKey(text);
        return sameText
          .filter((r) => r.text_key === key && r.id !== exampleId && r.type === type)
          .flatMap((r) => (r.class === null ? [] : [r.class]));
      },
    };
  }

  private async store(
    tx: EntityManager,
    examples: Example[],
    scores: QualityScore[],
    by: string | null,
  ) {
    if (examples.length === 0) return;
    const rows = examples.map((e, i) => ({
      hash: e.hash,
      score: scores[i].score,
      tier: scores[i].tier,
    }));
    await tx.query(
      `UPDATE example_versions v SET quality_score = r.score,
              validation_status = CASE WHEN $2::text IS NULL THEN v.validation_status
                                       WHEN r.tier = 'rejected' THEN 'rejected' ELSE 'validated' END,
              validated_by = coalesce($2, v.validated_by),
              validated_at = CASE WHEN $2::text IS NULL THEN v.validated_at ELSE now() END
         FROM jsonb_to_recordset($1::jsonb) AS r(hash text, score numeric, tier text)
        WHERE v.hash = decode(r.hash, 'hex')`,
      [JSON.stringify(rows), by],
    );
    // The four parts of the design (completeness, correctness, clarity, representativeness);
    // their criteria are recomputed from the example when needed, not stored.
    const parts = examples.flatMap((e, i) =>
      Object.entries(componentsOf(scores[i].parts)).map(([name, value]) => ({
        hash: e.hash,
        name,
        value,
      })),
    );
    await tx.query(
      `INSERT INTO example_quality (example_hash, metric_name, metric_value)
       SELECT decode(r.hash, 'hex'), r.name, r.value
         FROM jsonb_to_recordset($1::jsonb) AS r(hash text, name text, value numeric)
       ON CONFLICT (example_hash, metric_name) DO UPDATE SET metric_value = EXCLUDED.metric_value`,
      [JSON.stringify(parts)],
    );
  }
}

/** The sum of each part's criteria (`<part>_<criterion>`), by part. */
export function componentsOf(parts: Record<string, number>): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [criterion, value] of Object.entries(parts)) {
    const part = criterion.slice(0, criterion.indexOf('_'));
    sums[part] = Math.round(((sums[part] ?? 0) + value) * 100) / 100;
  }
  return sums;
}
