import { Injectable } from '@nestjs/common';
import { eventOf } from '@refinery/contracts';
import { JetStreamPublisher } from '@refinery/messaging';
import { badField, notFound, problemFor, ProblemException } from '@refinery/runtime';
import type { EntityManager } from 'typeorm';
import { DatasetsRepository, type Branch, type Dataset } from '../datasets/datasets.repository';
import type { Example } from '../examples/example';
import { HistoryRepository, type ChangeRow, type Commit } from './history.repository';

const conflict = (detail: string, extra: Record<string, unknown> = {}) =>
  new ProblemException({ ...problemFor(409, detail), ...extra });

export interface Diff {
  added: Example[];
  removed: Example[];
  modified: { id: string; before: Example; after: Example }[];
}

/** Commits and everything read from or made of them: log, diff, checkout, tags, branches,
 * merge, rollback. Every new commit is announced on datasets.committed before it is stored. */
@Injectable()
export class HistoryUseCase {
  constructor(
    private readonly datasets: DatasetsRepository,
    private readonly history: HistoryRepository,
    private readonly publisher: JetStreamPublisher,
  ) {}

  async resolve(dataset: Dataset, ref: string): Promise<Commit> {
    const commit = await this.history.resolve(this.history.db, dataset.id, ref);
    if (!commit)
      throw notFound(`no commit, tag or branch with commits named ${ref} in ${dataset.name}`);
    return commit;
  }

  async commit(dataset: Dataset, branchName: string, author: string, message: string) {
    return this.datasets.transaction(async (tx) => {
      const branch = await this.lockedBranch(tx, dataset, branchName);
      const commit = await this.history.commit(tx, branch, { author, message });
      if (!commit) throw badField('branch', `nothing staged on ${branchName} to commit`);
      await this.announce(tx, dataset, branch.name, commit);
      return commit;
    });
  }

  async log(dataset: Dataset, ref: string, limit: number) {
    return this.history.log(this.history.db, (await this.resolve(dataset, ref)).id, limit);
  }

  async diff(dataset: Dataset, fromRef: string, toRef: string): Promise<Diff> {
    const [from, to] = [await this.resolve(dataset, fromRef), await this.resolve(dataset, toRef)];
    return this.describe(await this.history.changesBetween(this.history.db, from, to));
  }

  /** Materialises the commit's tree and checks its recomputed hash against the stored one. */
  async checkout(dataset: Dataset, ref: string) {
    const commit = await this.resolve(dataset, ref);
    const tree = await this.history.treeOf(this.history.db, commit);
    const recomputed = await this.history.treeHash(tree);
    return {
      ref,
      commit: commit.hash,
      tree: commit.tree,
      recomputed_tree: recomputed.tree,
      verified: recomputed.tree === commit.tree && recomputed.examples === commit.example_count,
      examples: recomputed.examples,
    };
  }

  async tag(dataset: Dataset, name: string, ref: string, by: string) {
    const commit = await this.resolve(dataset, ref);
    if (!(await this.history.tag(this.history.db, dataset.id, name, commit.id, by))) {
      throw conflict(`tag ${name} already exists; tags never move`);
    }
    return { name, commit: commit.hash };
  }

  tags(dataset: Dataset) {
    return this.history.tags(dataset.id);
  }

  async branch(dataset: Dataset, name: string, fromRef: string) {
    const from = await this.resolve(dataset, fromRef);
    return this.datasets.transaction(async (tx) => {
      // Read before the new branch exists: treeOf may read the tree off any branch whose head
      // is `from`, and the new one's entries are still empty.
      const tree = await this.history.treeOf(tx, from);
      const rows: { id: string }[] = await tx.query(
        `INSERT INTO branches (dataset_id, name, head_commit_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING id`,
        [dataset.id, name, from.id],
      );
      if (rows.length === 0) throw conflict(`branch ${name} already exists`);
      await tx.query(
        `INSERT INTO branch_entries (branch_id, example_id, version_hash)
         SELECT $${tree.params.length + 1}, example_id, version_hash FROM (${tree.sql}) t`,
        [...tree.params, rows[0].id],
      );
      return { name, head: from.hash };
    });
  }

  /**
   * Three-way merge of `fromRef` into a branch; conflicting examples are reported, never guessed.
   * `fastForward: false` makes a merge commit even when the branch could just move, so the
   * merge is announced as a commit of `into` (retraining listens for commits on main).
   */
  async merge(
    dataset: Dataset,
    fromRef: string,
    into: string,
    author: string,
    message?: string,
    fastForward = true,
  ) {
    const theirs = await this.resolve(dataset, fromRef);
    return this.datasets.transaction(async (tx) => {
      const branch = await this.cleanBranch(tx, dataset, into);
      const ours = branch.head_commit_id
        ? await this.history.byId(tx, branch.head_commit_id)
        : undefined;
      const base = ours ? await this.history.mergeBase(tx, ours.id, theirs.id) : undefined;
      if (ours && base?.id === theirs.id)
        return { merged: false, up_to_date: true, head: ours.hash };
      if (fastForward && (!ours || base?.id === ours.id)) {
        const changes = ours
          ? await this.history.changesBetween(tx, ours, theirs)
          : await this.all(tx, theirs);
        // A fast-forward moves the head: the branch takes the commit's tree, nothing is staged.
        await this.datasets.point(
          tx,
          branch.id,
          changes.map((c) => ({ example_id: c.example_id, hash: c.after })),
        );
        await tx.query(`UPDATE branches SET head_commit_id = $2 WHERE id = $1`, [
          branch.id,
          theirs.id,
        ]);
        return { merged: true, fast_forward: true, head: theirs.hash };
      }
      // Into an empty branch (no fast-forward asked): everything of theirs comes in.
      const mine = ours && base ? await this.history.changesBetween(tx, base, ours) : [];
      const incoming = base
        ? await this.history.changesBetween(tx, base, theirs)
        : await this.all(tx, theirs);
      const ourChange = new Map(mine.map((c) => [c.example_id, c]));
      const clashes = incoming.filter((c) => {
        const o = ourChange.get(c.example_id);
        return o !== undefined && o.after !== c.after;
      });
      if (clashes.length > 0) {
        const versions = await this.datasets.versions(
          tx,
          clashes
            .flatMap((c) => [c.before, c.after, ourChange.get(c.example_id)!.after])
            .filter(isHash),
        );
        const at = (h: string | null) => (h ? (versions.get(h) ?? null) : null);
        throw conflict(`${clashes.length} example(s) changed differently on both sides`, {
          conflicts: clashes.map((c) => ({
            id: c.example_id,
            base: at(c.before),
            ours: at(ourChange.get(c.example_id)!.after),
            theirs: at(c.after),
          })),
        });
      }
      const apply = incoming.filter((c) => !ourChange.has(c.example_id));
      await this.datasets.stage(
        tx,
        branch.id,
        apply.map((c) => ({ example_id: c.example_id, hash: c.after })),
      );
      const commit = await this.history.commit(tx, branch, {
        author,
        message: message ?? `Merge ${fromRef} into ${into}`,
        extraParents: [theirs.hash],
      });
      await this.announce(tx, dataset, into, commit!);
      return { merged: true, fast_forward: false, head: commit!.hash, commit: commit! };
    });
  }

  /** A new commit on the branch whose tree is the old commit's. */
  async rollback(
    dataset: Dataset,
    branchName: string,
    toRef: string,
    author: string,
    message?: string,
  ) {
    const target = await this.resolve(dataset, toRef);
    return this.datasets.transaction(async (tx) => {
      const branch = await this.cleanBranch(tx, dataset, branchName);
      if (!branch.head_commit_id) throw badField('branch', `${branchName} has no commits`);
      const head = await this.history.byId(tx, branch.head_commit_id);
      const changes = await this.history.changesBetween(tx, head, target);
      if (changes.length === 0)
        throw badField('to', `${branchName} already has the tree of ${toRef}`);
      await this.datasets.stage(
        tx,
        branch.id,
        changes.map((c) => ({ example_id: c.example_id, hash: c.after })),
      );
      const commit = await this.history.commit(tx, branch, {
        author,
        message: message ?? `Roll back to ${toRef} (${target.hash.slice(0, 12)})`,
      });
      await this.announce(tx, dataset, branchName, commit!);
      return commit!;
    });
  }

  private async describe(changes: ChangeRow[]): Promise<Diff> {
    const versions = await this.datasets.versions(
      this.history.db,
      changes.flatMap((c) => [c.before, c.after]).filter(isHash),
    );
    const diff: Diff = { added: [], removed: [], modified: [] };
    for (const c of changes) {
      if (!c.before) diff.added.push(versions.get(c.after!)!);
      else if (!c.after) diff.removed.push(versions.get(c.before)!);
      else
        diff.modified.push({
          id: c.example_id,
          before: versions.get(c.before)!,
          after: versions.get(c.after)!,
        });
    }
    return diff;
  }

  private async all(tx: EntityManager, commit: Commit): Promise<ChangeRow[]> {
    const tree = await this.history.treeOf(tx, commit);
    return tx.query(
      `SELECT example_id, NULL AS before, encode(version_hash, 'hex') AS after FROM (${tree.sql}) t`,
      tree.params,
    );
  }

  private async lockedBranch(tx: EntityManager, dataset: Dataset, name: string): Promise<Branch> {
    const branch = await this.datasets.branch(tx, dataset.id, name, true);
    if (!branch) throw notFound(`no branch named ${name} in dataset ${dataset.name}`);
    return branch;
  }

  private async cleanBranch(tx: EntityManager, dataset: Dataset, name: string): Promise<Branch> {
    const branch = await this.lockedBranch(tx, dataset, name);
    const [{ n }] = await tx.query(
      `SELECT count(*)::int AS n FROM staged_changes WHERE branch_id = $1`,
      [branch.id],
    );
    if (n > 0) throw conflict(`${name} has ${n} staged change(s); commit them first`);
    return branch;
  }

  private async announce(tx: EntityManager, dataset: Dataset, branch: string, commit: Commit) {
    const [{ corrected }] = await tx.query(
      `SELECT count(*)::int AS corrected FROM example_changes x
         JOIN example_versions v ON v.hash = x.after_hash
        WHERE x.commit_id = $1 AND v.labels->>'source' = 'correction'`,
      [commit.id],
    );
    await this.publisher.publishMany([
      eventOf('datasets.committed', {
        id: `datasets.committed:${commit.hash}`,
        tenant: dataset.tenant,
        occurred_at: new Date(commit.committed_at).toISOString(),
        record_id: null,
        data: {
          dataset: dataset.name,
          branch,
          commit: commit.hash,
          parents: commit.parents,
          tree: commit.tree,
          author: commit.author,
          message: commit.message,
          committed_at: new Date(commit.committed_at).toISOString(),
          added: commit.added,
          removed: commit.removed,
          modified: commit.modified,
          example_count: commit.example_count,
          corrected,
        },
      }),
    ]);
  }
}

const isHash = (h: string | null): h is string => h !== null;
