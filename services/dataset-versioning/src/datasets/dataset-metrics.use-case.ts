import { Injectable } from '@nestjs/common';
import { EXAMPLE_TYPES } from '../examples/example';
import { ListExamplesUseCase } from './list-examples.use-case';
import { DatasetsRepository, type Dataset } from './datasets.repository';

/** The design's dataset metrics: size, quality tiers, class balance, coverage, growth. */
@Injectable()
export class DatasetMetricsUseCase {
  constructor(
    private readonly datasets: DatasetsRepository,
    private readonly examples: ListExamplesUseCase,
  ) {}

  async execute(dataset: Dataset, ref?: string) {
    const tree = await this.examples.tree(dataset, ref, 'main');
    const db = this.datasets.db;
    const rows: { type: string; class: string | null; tier: string; n: number }[] = await db.query(
      `SELECT v.example_type AS type, v.class,
              CASE WHEN v.quality_score IS NULL THEN 'unscored' WHEN v.quality_score >= 90 THEN 'gold'
                   WHEN v.quality_score >= 75 THEN 'silver' WHEN v.quality_score >= 60 THEN 'bronze'
                   ELSE 'rejected' END AS tier,
              count(*)::int AS n
         FROM (${tree.sql}) t JOIN example_versions v ON v.hash = t.version_hash
        GROUP BY 1, 2, 3`,
      tree.params,
    );
    const total = rows.reduce((a, r) => a + r.n, 0);
    const tiers: Record<string, number> = {
      gold: 0,
      silver: 0,
      bronze: 0,
      rejected: 0,
      unscored: 0,
    };
    const coverage: Record<string, number> = Object.fromEntries(EXAMPLE_TYPES.map((t) => [t, 0]));
    const classes: Record<string, Record<string, number>> = {};
    for (const r of rows) {
      tiers[r.tier] += r.n;
      coverage[r.type] += r.n;
      const byClass = (classes[r.type] ??= {});
      byClass[r.class ?? 'none'] = (byClass[r.class ?? 'none'] ?? 0) + r.n;
    }
    const silverOrGold = total ? (tiers.gold + tiers.silver) / total : 0;
    const balance = Object.fromEntries(
      Object.entries(classes).map(([type, counts]) => {
        const values = Object.values(counts);
        return [
          type,
          { counts, imbalance_ratio: Math.max(...values) / Math.max(1, Math.min(...values)) },
        ];
      }),
    );
    const growth: { hash: string; committed_at: string; example_count: number }[] = await db.query(
      `SELECT commit_hash AS hash, committed_at, example_count FROM commits
        WHERE dataset_id = $1 ORDER BY seq`,
      [dataset.id],
    );
    return {
      name: dataset.name,
      description: dataset.description,
      ref: ref ?? 'main (working tree)',
      branches: await this.datasets
        .branches(dataset.id)
        .then((bs) => bs.map((b) => ({ name: b.name, head: b.head }))),
      examples: total,
      tiers,
      silver_or_gold_share: Math.round(silverOrGold * 10_000) / 10_000,
      meets_quality_bar: silverOrGold >= 0.8,
      class_balance: balance,
      coverage: {
        by_type: coverage,
        missing_types: EXAMPLE_TYPES.filter((t) => coverage[t] === 0),
      },
      growth,
    };
  }
}
