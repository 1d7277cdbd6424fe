import { Injectable } from '@nestjs/common';
import { notFound } from '@refinery/runtime';
import type { Example } from '../examples/example';
import { HistoryRepository } from '../versioning/history.repository';
import { HistoryUseCase } from '../versioning/history.use-case';
import { WORKING_TREE, type TreeQuery } from '../versioning/trees';
import {
  DatasetsRepository,
  EXAMPLE_COLUMNS,
  toExample,
  type Dataset,
} from './datasets.repository';

export interface ExampleQuery {
  ref?: string;
  branch: string;
  limit: number;
  after?: string;
}

/** A page of examples, in id order, at a ref or on a branch's working tree. */
@Injectable()
export class ListExamplesUseCase {
  constructor(
    private readonly datasets: DatasetsRepository,
    private readonly history: HistoryRepository,
    private readonly refs: HistoryUseCase,
  ) {}

  /** The tree a request names: a ref's commit, or the branch's working tree. */
  async tree(dataset: Dataset, ref: string | undefined, branchName: string): Promise<TreeQuery> {
    if (ref) return this.history.treeOf(this.history.db, await this.refs.resolve(dataset, ref));
    const branch = await this.datasets.branch(this.datasets.db, dataset.id, branchName);
    if (!branch) throw notFound(`no branch named ${branchName} in dataset ${dataset.name}`);
    return { sql: WORKING_TREE, params: [branch.id] };
  }

  async execute(dataset: Dataset, q: ExampleQuery) {
    const tree = await this.tree(dataset, q.ref, q.branch);
    const n = tree.params.length;
    const rows: Omit<Example, 'tier'>[] = await this.datasets.db.query(
      `SELECT ${EXAMPLE_COLUMNS} FROM (${tree.sql}) t JOIN example_versions v ON v.hash = t.version_hash
        WHERE $${n + 1}::uuid IS NULL OR t.example_id > $${n + 1}
        ORDER BY t.example_id LIMIT $${n + 2}`,
      [...tree.params, q.after ?? null, q.limit],
    );
    const examples = rows.map(toExample);
    return {
      examples,
      next: examples.length === q.limit ? examples[examples.length - 1].id : null,
    };
  }
}
