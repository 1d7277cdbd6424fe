import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { badField } from '@refinery/runtime';
import { DataSource } from 'typeorm';
import type { Dataset } from '../datasets/datasets.repository';
import { EXAMPLE_COLUMNS, toExample } from '../datasets/datasets.repository';
import type { Example } from '../examples/example';
import { HistoryRepository } from '../versioning/history.repository';
import { HistoryUseCase } from '../versioning/history.use-case';
import type { ExportExample, ExportFormat } from './export-example';
import { checkRatios, type SplitName, type SplitRatios } from './splits';
import { writeExport, type ExportFile } from './write-export';

const FETCH = 2_000;

export interface ExportRequest {
  format: ExportFormat;
  ref: string;
  split?: SplitName;
  ratios?: Partial<SplitRatios>;
  stratify: boolean;
}

/**
 * Writes a ref's examples to a file in a directory of its own (the caller streams it and
 * removes the directory). Rows come through a server-side cursor, a few thousand at a time,
 * so memory stays bounded however large the dataset.
 */
@Injectable()
export class ExportExamplesUseCase {
  constructor(
    private readonly db: DataSource,
    private readonly history: HistoryRepository,
    private readonly refs: HistoryUseCase,
  ) {}

  async execute(dataset: Dataset, request: ExportRequest): Promise<ExportFile & { dir: string }> {
    let ratios: SplitRatios;
    try {
      ratios = checkRatios(request.ratios);
    } catch (error) {
      throw badField('ratios', (error as Error).message);
    }
    const commit = await this.refs.resolve(dataset, request.ref);
    const tree = await this.history.treeOf(this.db, commit);
    const n = tree.params.length;
    // Stratified splits need each example in the order it was first added (then by id).
    const order = request.stratify
      ? `(SELECT min(c.seq) FROM example_changes x JOIN commits c ON c.id = x.commit_id
           WHERE x.example_id = t.example_id AND x.change_type = 'added' AND c.dataset_id = $${n + 1}), t.example_id`
      : 't.example_id';
    const sql = `SELECT ${EXAMPLE_COLUMNS} FROM (${tree.sql}) t
                   JOIN example_versions v ON v.hash = t.version_hash ORDER BY ${order}`;
    const params = request.stratify ? [...tree.params, dataset.id] : tree.params;
    const dir = mkdtempSync(join(tmpdir(), 'refinery-export-'));
    const file = await writeExport(request.format, this.rows(sql, params), dir, {
      dataset: dataset.name,
      ref: request.ref,
      commit: commit.hash,
      split: request.split,
      ratios,
      stratify: request.stratify,
    });
    return { ...file, dir };
  }

  private async *rows(sql: string, params: unknown[]): AsyncGenerator<ExportExample> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query(`DECLARE export_rows NO SCROLL CURSOR FOR ${sql}`, params);
      for (;;) {
        const batch: Omit<Example, 'tier'>[] = await runner.query(
          `FETCH ${FETCH} FROM export_rows`,
        );
        for (const row of batch) yield exportExample(toExample(row));
        if (batch.length < FETCH) break;
      }
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  }
}

const exportExample = (e: Example): ExportExample => ({
  id: e.id,
  type: e.type,
  input: e.input,
  output: e.output,
  labels: e.labels,
  quality_score: e.quality_score,
  metadata: {
    hash: e.hash,
    tier: e.tier,
    validation_status: e.validation_status,
    source_decision_id: e.source_decision_id,
  },
});
