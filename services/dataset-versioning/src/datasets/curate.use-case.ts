import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { badField, notFound } from '@refinery/runtime';
import type { EntityManager } from 'typeorm';
import { classOf, type Example, type NewExample } from '../examples/example';
import { inputText, normalized, textKey } from '../examples/quality';
import { exampleHash } from '../versioning/hashes';
import {
  DatasetsRepository,
  type Branch,
  type Dataset,
  type VersionRow,
} from './datasets.repository';
import { ScoreExamples } from './score-examples';

/** A version ready to store, from what a client or the pipeline sent. */
export function versionOf(example: NewExample & { id: string }): VersionRow {
  const content = {
    id: example.id,
    type: example.type,
    input: example.input,
    output: example.output,
    labels: example.labels ?? null,
    source_decision_id: example.source_decision_id ?? null,
  };
  const text = normalized(inputText(example.input));
  return {
    hash: exampleHash(content),
    example_id: example.id,
    type: example.type,
    input: content.input,
    output: content.output,
    labels: content.labels,
    source_decision_id: content.source_decision_id,
    class: classOf(example.type, example.output),
    text_key: text ? textKey(text) : null,
  };
}

/** Staging examples on a branch: added, changed, removed, validated. */
@Injectable()
export class CurateUseCase {
  constructor(
    private readonly datasets: DatasetsRepository,
    private readonly score: ScoreExamples,
  ) {}

  async dataset(tenant: string, name: string): Promise<Dataset> {
    const dataset = await this.datasets.find(tenant, name);
    if (!dataset) throw notFound(`no dataset named ${name}`);
    return dataset;
  }

  /** Runs `work` with the branch locked; an unknown branch is a 404 unless `create`. */
  async onBranch<T>(
    dataset: Dataset,
    name: string,
    work: (tx: EntityManager, branch: Branch) => Promise<T>,
    create = false,
  ): Promise<T> {
    return this.datasets.transaction(async (tx) => {
      let branch = await this.datasets.branch(tx, dataset.id, name, true);
      if (!branch && create) {
        await tx.query(
          `INSERT INTO branches (dataset_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [dataset.id, name],
        );
        branch = await this.datasets.branch(tx, dataset.id, name, true);
      }
      if (!branch) throw notFound(`no branch named ${name} in dataset ${dataset.name}`);
      return work(tx, branch);
    });
  }

  /** Stages the examples; with `minScore`, only those whose quality reaches it. */
  async add(
    dataset: Dataset,
    branchName: string,
    examples: NewExample[],
    options: { create?: boolean; minScore?: number } = {},
  ) {
    const withIds = examples.map((e) => ({ ...e, id: e.id ?? randomUUID() }));
    const seen = new Set<string>();
    withIds.forEach((e, i) => {
      if (seen.has(e.id)) throw badField(`examples[${i}].id`, 'appears twice in this request');
      seen.add(e.id);
    });
    const rows = withIds.map(versionOf);
    return this.onBranch(
      dataset,
      branchName,
      async (tx, branch) => {
        const scores = await this.score.score(tx, branch.id, rows.map(scoredOf));
        for (const r of rows) r.quality_score = scores.get(r.hash)!.score;
        const kept = rows.filter((r) => r.quality_score! >= (options.minScore ?? 0));
        await this.datasets.insertVersions(tx, dataset.id, kept);
        await this.datasets.stage(
          tx,
          branch.id,
          kept.map((r) => ({ example_id: r.example_id, hash: r.hash })),
        );
        const stored = await this.datasets.versions(
          tx,
          kept.map((r) => r.hash),
        );
        return { branch: branch.name, examples: kept.map((r) => stored.get(r.hash)!) };
      },
      options.create,
    );
  }

  async patch(dataset: Dataset, branchName: string, id: string, change: Partial<NewExample>) {
    return this.onBranch(dataset, branchName, async (tx, branch) => {
      const current = (await this.datasets.current(tx, branch.id, [id])).get(id);
      if (!current) throw notFound(`no example ${id} on branch ${branch.name}`);
      const row = versionOf({ ...pick(current), ...change, id });
      row.quality_score = (await this.score.score(tx, branch.id, [scoredOf(row)])).get(
        row.hash,
      )!.score;
      await this.datasets.insertVersions(tx, dataset.id, [row]);
      await this.datasets.stage(tx, branch.id, [{ example_id: id, hash: row.hash }]);
      return (await this.datasets.versions(tx, [row.hash])).get(row.hash)!;
    });
  }

  async remove(dataset: Dataset, branchName: string, id: string): Promise<void> {
    await this.onBranch(dataset, branchName, async (tx, branch) => {
      const current = (await this.datasets.current(tx, branch.id, [id])).get(id);
      if (!current) throw notFound(`no example ${id} on branch ${branch.name}`);
      await this.datasets.stage(tx, branch.id, [{ example_id: id, hash: null }]);
    });
  }

  /** Scores every example on the branch again and records who validated them. */
  async validate(dataset: Dataset, branchName: string, by: string) {
    return this.onBranch(dataset, branchName, (tx, branch) =>
      this.score.validateBranch(tx, dataset.id, branch.id, by),
    );
  }
}

const scoredOf = (r: VersionRow) => ({
  id: r.example_id,
  hash: r.hash,
  type: r.type,
  input: r.input,
  output: r.output,
  labels: r.labels,
});

const pick = (e: Example): NewExample => ({
  type: e.type,
  input: e.input,
  output: e.output,
  labels: e.labels,
  source_decision_id: e.source_decision_id,
});
