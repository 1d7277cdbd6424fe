/**
 * SQL that yields `(example_id, version_hash)` rows: the tree of a commit, or the net changes
 * between commits. Commits store their changes against their first parent only, so:
 * - the tree of a commit on a branch's first-parent line is that branch's entries with the
 *   changes made since the commit (and the staged ones) undone: cost follows the changes;
 * - any other commit's tree is replayed from the root along its own first-parent line.
 */

/**
 * The ids of the commits on `$1`'s first-parent line deeper than `$2`, newest first. Callers
 * look their changes up by these ids as values (`commit_id = ANY($n)`), which the planner
 * estimates from the column's statistics: a chain's id read from a CTE looks as common as the
 * average commit, and one import of a million examples makes that a full scan.
 */
export const CHAIN = `
  WITH RECURSIVE chain AS (
    SELECT id, first_parent_id, depth FROM commits WHERE id = $1
    UNION ALL
    SELECT c.id, c.first_parent_id, c.depth FROM commits c JOIN chain ON c.id = chain.first_parent_id
     WHERE chain.depth > $2 + 1)
  SELECT id FROM chain WHERE depth > $2 ORDER BY depth DESC`;

/** Net changes of the commits `$n` (newest first): each example's version before the first
 * of them and after the last. */
export const netChanges = (n: number) => `
  SELECT x.example_id,
         (array_agg(x.before_hash ORDER BY array_position($${n}::uuid[], x.commit_id) DESC))[1] AS before_hash,
         (array_agg(x.after_hash ORDER BY array_position($${n}::uuid[], x.commit_id)))[1] AS after_hash
    FROM example_changes x
   WHERE x.commit_id = ANY($${n}::uuid[])
   GROUP BY x.example_id`;

/**
 * A commit's tree from a branch whose first-parent line holds it: the branch's entries with
 * the changes of the later commits and the staged ones undone. Parameters: $1 branch id, $2
 * the ids of the commits after it up to the head (newest first).
 */
export const TREE_FROM_BRANCH = `
  WITH since AS (
    SELECT example_id, before_hash AS version_hash FROM (${netChanges(2)}) n),
  staged AS (
    SELECT s.example_id, s.before_hash AS version_hash FROM staged_changes s
     WHERE s.branch_id = $1 AND NOT EXISTS (SELECT 1 FROM since WHERE since.example_id = s.example_id)),
  undone AS (SELECT * FROM since UNION ALL SELECT * FROM staged)
  SELECT e.example_id, e.version_hash FROM branch_entries e
   WHERE e.branch_id = $1 AND NOT EXISTS (SELECT 1 FROM undone u WHERE u.example_id = e.example_id)
  UNION ALL
  SELECT example_id, version_hash FROM undone WHERE version_hash IS NOT NULL`;

/** Parameter: $1 the commit id. */
export const TREE_FROM_ROOT = `
  WITH RECURSIVE chain AS (
    SELECT id, first_parent_id, depth FROM commits WHERE id = $1
    UNION ALL
    SELECT c.id, c.first_parent_id, c.depth FROM commits c JOIN chain ON c.id = chain.first_parent_id)
  SELECT example_id, version_hash FROM (
    SELECT DISTINCT ON (x.example_id) x.example_id, x.after_hash AS version_hash
      FROM example_changes x JOIN chain ON x.commit_id = chain.id
     ORDER BY x.example_id, chain.depth DESC) t
   WHERE version_hash IS NOT NULL`;

/** The working tree of a branch (its head and what is staged). Parameter: $1 branch id. */
export const WORKING_TREE = `SELECT example_id, version_hash FROM branch_entries WHERE branch_id = $1`;

/**
 * The tree hash of the rows of `tree` (docs/datasets.md): sorted hex hashes, one per line.
 * The aggregate reads a sorted subquery rather than sorting itself (`ORDER BY` inside
 * string_agg), which lets a branch's working tree come in index order, unsorted: 0.8 s at a
 * million examples against 1.9 s. PostgreSQL keeps a subquery's order for a plain aggregate
 * unless the aggregate runs in parallel, so run it with max_parallel_workers_per_gather = 0
 * (SERIAL_PLAN); the checkout's recomputation catches any difference.
 */
export const treeHashOf = (tree: string) => `
  SELECT encode(sha256(convert_to(coalesce(
           string_agg(encode(t.version_hash, 'hex') || E'\\n', ''), ''), 'UTF8')), 'hex') AS tree,
         count(*)::int AS examples
    FROM (SELECT s.version_hash FROM (${tree}) s ORDER BY s.version_hash) t`;

export const SERIAL_PLAN = `SET LOCAL max_parallel_workers_per_gather = 0`;

/** A tree query and its parameters, ready to be wrapped or streamed. */
export interface TreeQuery {
  sql: string;
  params: unknown[];
}
