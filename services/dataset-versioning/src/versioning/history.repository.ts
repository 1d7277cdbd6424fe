import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { commitHash } from './hashes';
import {
  CHAIN,
  netChanges,
  SERIAL_PLAN,
  TREE_FROM_BRANCH,
  TREE_FROM_ROOT,
  treeHashOf,
  WORKING_TREE,
  type TreeQuery,
} from './trees';

type Db = DataSource | EntityManager;

export interface Commit {
  id: string;
  hash: string;
  parents: string[];
  first_parent_id: string | null;
  depth: number;
  tree: string;
  author: string;
  message: string;
  committed_at: string;
  added: number;
  removed: number;
  modified: number;
  example_count: number;
}

const COMMIT_COLUMNS = `c.id, c.commit_hash AS hash, c.parent_hashes::text[] AS parents,
  c.first_parent_id, c.depth, c.tree_hash AS tree, c.author, c.message, c.committed_at,
  c.examples_added AS added, c.examples_removed AS removed, c.examples_modified AS modified,
  c.example_count`;

/** One example's version on each side of a comparison (hex, null where absent). */
export interface ChangeRow {
  example_id: string;
  before: string | null;
  after: string | null;
}

/** Commits, tags and the trees and differences between them. */
@Injectable()
export class HistoryRepository {
  constructor(readonly db: DataSource) {}

  async byId(db: Db, id: string): Promise<Commit> {
    const rows: Commit[] = await db.query(
      `SELECT ${COMMIT_COLUMNS} FROM commits c WHERE c.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** A tag, a branch (its head) or a commit hash of at least 4 hex characters, in that order. */
  async resolve(db: Db, datasetId: string, ref: string): Promise<Commit | undefined> {
    const rows: (Commit & { rank: number })[] = await db.query(
      `SELECT ${COMMIT_COLUMNS}, 1 AS rank FROM tags t JOIN commits c ON c.id = t.commit_id
        WHERE t.dataset_id = $1 AND t.name = $2
       UNION ALL
       SELECT ${COMMIT_COLUMNS}, 2 FROM branches b JOIN commits c ON c.id = b.head_commit_id
        WHERE b.dataset_id = $1 AND b.name = $2
       UNION ALL
       SELECT ${COMMIT_COLUMNS}, 3 FROM commits c
        WHERE c.dataset_id = $1 AND length($2) >= 4 AND $2 ~ '^[0-9a-f]+$'
          AND c.commit_hash LIKE $2 || '%'
       ORDER BY rank LIMIT 2`,
      [datasetId, ref],
    );
    // An abbreviated hash that names two commits names none.
    if (rows.length === 0 || (rows.length === 2 && rows[0].rank === 3)) return undefined;
    const { rank: _rank, ...commit } = rows[0];
    return commit;
  }

  /** Records a commit of what is staged on the branch (locked by the caller). */
  async commit(
    tx: EntityManager,
    branch: { id: string; dataset_id: string; head_commit_id: string | null },
    header: { author: string; message: string; extraParents?: string[] },
  ): Promise<Commit | undefined> {
    const [counts] = await tx.query(
      `SELECT count(*) FILTER (WHERE before_hash IS NULL)::int AS added,
              count(*) FILTER (WHERE after_hash IS NULL)::int AS removed,
              count(*) FILTER (WHERE before_hash IS NOT NULL AND after_hash IS NOT NULL)::int AS modified
         FROM staged_changes WHERE branch_id = $1`,
      [branch.id],
    );
    if (counts.added + counts.removed + counts.modified === 0 && !header.extraParents?.length) {
      return undefined;
    }
    const head = branch.head_commit_id ? await this.byId(tx, branch.head_commit_id) : undefined;
    await tx.query(SERIAL_PLAN);
    const [{ tree, examples }] = await tx.query(treeHashOf(WORKING_TREE), [branch.id]);
    const parents = [...(head ? [head.hash] : []), ...(header.extraParents ?? [])];
    const committedAt = new Date();
    const hash = commitHash({
      tree,
      parents,
      author: header.author,
      message: header.message,
      committedAt,
    });
    const [{ id }] = await tx.query(
      `INSERT INTO commits (dataset_id, commit_hash, parent_hashes, first_parent_id, depth, tree_hash,
                            message, author, committed_at, examples_added, examples_removed,
                            examples_modified, example_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        branch.dataset_id,
        hash,
        parents,
        head?.id ?? null,
        head ? head.depth + 1 : 0,
        tree,
        header.message,
        header.author,
        committedAt,
        counts.added,
        counts.removed,
        counts.modified,
        examples,
      ],
    );
    await tx.query(
      `INSERT INTO example_changes (commit_id, example_id, change_type, before_hash, after_hash)
       SELECT $2, example_id,
              CASE WHEN before_hash IS NULL THEN 'added' WHEN after_hash IS NULL THEN 'removed'
                   ELSE 'modified' END,
              before_hash, after_hash
         FROM staged_changes WHERE branch_id = $1`,
      [branch.id, id],
    );
    await tx.query(`DELETE FROM staged_changes WHERE branch_id = $1`, [branch.id]);
    await tx.query(`UPDATE branches SET head_commit_id = $2 WHERE id = $1`, [branch.id, id]);
    return this.byId(tx, id);
  }

  /** Every ancestor of the commit (itself included), newest first. */
  log(db: Db, commitId: string, limit: number): Promise<Commit[]> {
    return db.query(
      `WITH RECURSIVE ancestry AS (
         SELECT id, parent_hashes FROM commits WHERE id = $1
         UNION
         SELECT c.id, c.parent_hashes FROM commits c JOIN ancestry a ON c.commit_hash = ANY(a.parent_hashes))
       SELECT ${COMMIT_COLUMNS} FROM commits c JOIN ancestry USING (id)
        ORDER BY c.seq DESC LIMIT $2`,
      [commitId, limit],
    );
  }

  /** The newest common ancestor of two commits. */
  async mergeBase(db: Db, a: string, b: string): Promise<Commit | undefined> {
    const rows: { id: string }[] = await db.query(
      `WITH RECURSIVE
         left_side AS (SELECT id, parent_hashes FROM commits WHERE id = $1
                       UNION SELECT c.id, c.parent_hashes FROM commits c
                               JOIN left_side l ON c.commit_hash = ANY(l.parent_hashes)),
         right_side AS (SELECT id, parent_hashes FROM commits WHERE id = $2
                        UNION SELECT c.id, c.parent_hashes FROM commits c
                                JOIN right_side r ON c.commit_hash = ANY(r.parent_hashes))
       SELECT c.id FROM commits c JOIN left_side USING (id) JOIN right_side USING (id)
        ORDER BY c.seq DESC LIMIT 1`,
      [a, b],
    );
    return rows[0] ? this.byId(db, rows[0].id) : undefined;
  }

  /** The commits after depth `depth` up to `head` on its first-parent line, newest first. */
  async chain(db: Db, head: Commit, depth: number): Promise<string[]> {
    const rows: { id: string }[] = await db.query(CHAIN, [head.id, depth]);
    return rows.map((r) => r.id);
  }

  /** Whether `ancestor` is on `descendant`'s first-parent line. */
  async onFirstParentLine(db: Db, ancestor: Commit, descendant: Commit): Promise<boolean> {
    if (ancestor.depth > descendant.depth) return false;
    const rows: { id: string }[] = await db.query(
      `WITH RECURSIVE chain AS (
         SELECT id, first_parent_id, depth FROM commits WHERE id = $1
         UNION ALL
         SELECT c.id, c.first_parent_id, c.depth FROM commits c
           JOIN chain ON c.id = chain.first_parent_id WHERE chain.depth > $2)
       SELECT id FROM chain WHERE depth = $2`,
      [descendant.id, ancestor.depth],
    );
    return rows[0]?.id === ancestor.id;
  }

  /** The query for a commit's tree: from the nearest branch whose line holds it, else replayed. */
  async treeOf(db: Db, commit: Commit): Promise<TreeQuery> {
    const heads: { id: string; head_commit_id: string; depth: number }[] = await db.query(
      `SELECT b.id, b.head_commit_id, c.depth FROM branches b JOIN commits c ON c.id = b.head_commit_id
        WHERE b.dataset_id = (SELECT dataset_id FROM commits WHERE id = $1) AND c.depth >= $2
        ORDER BY c.depth`,
      [commit.id, commit.depth],
    );
    for (const head of heads) {
      const headCommit = await this.byId(db, head.head_commit_id);
      if (await this.onFirstParentLine(db, commit, headCommit)) {
        const since = await this.chain(db, headCommit, commit.depth);
        return { sql: TREE_FROM_BRANCH, params: [head.id, since] };
      }
    }
    return { sql: TREE_FROM_ROOT, params: [commit.id] };
  }

  async treeHash(tree: TreeQuery): Promise<{ tree: string; examples: number }> {
    return this.db.transaction(async (tx) => {
      await tx.query(SERIAL_PLAN);
      const [row] = await tx.query(treeHashOf(tree.sql), tree.params);
      return row;
    });
  }

  /**
   * Each example that differs between two commits, with its version in each. Reads the changes
   * between them when both descend from their merge base along their first-parent lines,
   * otherwise compares the two trees.
   */
  async changesBetween(db: Db, from: Commit, to: Commit): Promise<ChangeRow[]> {
    if (from.id === to.id) return [];
    const base = await this.mergeBase(db, from.id, to.id);
    if (
      base &&
      (await this.onFirstParentLine(db, base, from)) &&
      (await this.onFirstParentLine(db, base, to))
    ) {
      const rows: ChangeRow[] = await db.query(
        `WITH f AS (${netChanges(1)}), t AS (${netChanges(2)})
         SELECT example_id, before, after FROM (
           SELECT coalesce(f.example_id, t.example_id) AS example_id,
                  CASE WHEN f.example_id IS NOT NULL THEN f.after_hash ELSE t.before_hash END AS b,
                  CASE WHEN t.example_id IS NOT NULL THEN t.after_hash ELSE f.before_hash END AS a
             FROM f FULL JOIN t ON f.example_id = t.example_id) d
           CROSS JOIN LATERAL (SELECT encode(d.b, 'hex') AS before, encode(d.a, 'hex') AS after) x
          WHERE d.b IS DISTINCT FROM d.a
          ORDER BY example_id`,
        [await this.chain(db, from, base.depth), await this.chain(db, to, base.depth)],
      );
      return rows;
    }
    const [fromTree, toTree] = [await this.treeOf(db, from), await this.treeOf(db, to)];
    const shift = fromTree.params.length;
    const toSql = toTree.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + shift}`);
    return db.query(
      `SELECT coalesce(f.example_id, t.example_id) AS example_id,
              encode(f.version_hash, 'hex') AS before, encode(t.version_hash, 'hex') AS after
         FROM (${fromTree.sql}) f FULL JOIN (${toSql}) t ON f.example_id = t.example_id
        WHERE f.version_hash IS DISTINCT FROM t.version_hash
        ORDER BY 1`,
      [...fromTree.params, ...toTree.params],
    );
  }

  async tag(
    db: Db,
    datasetId: string,
    name: string,
    commitId: string,
    by: string,
  ): Promise<boolean> {
    const rows = await db.query(
      `INSERT INTO tags (dataset_id, name, commit_id, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING name`,
      [datasetId, name, commitId, by],
    );
    return rows.length === 1;
  }

  tags(datasetId: string): Promise<{ name: string; commit: string; created_by: string }[]> {
    return this.db.query(
      `SELECT t.name, c.commit_hash AS commit, t.created_by, t.created_at FROM tags t
         JOIN commits c ON c.id = t.commit_id WHERE t.dataset_id = $1 ORDER BY t.created_at`,
      [datasetId],
    );
  }
}
