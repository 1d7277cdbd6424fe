import { createHash } from 'node:crypto';

/**
 * The hashes of docs/datasets.md, each reproducible with `sha256sum`:
 * - an example: SHA-256 of its canonical JSON (RFC 8785, JCS) `{"id","input","labels","output",
 *   "source_decision_id","type"}`;
 * - a tree: SHA-256 of its example hashes in lowercase hex, sorted, each followed by "\n"
 *   (`LC_ALL=C sort hashes.txt | sha256sum`); the empty tree hashes the empty string;
 * - a commit: SHA-256 of the UTF-8 text
 *   `tree <tree>\n` + `parent <parent>\n` per parent in order + `author <author>\n` +
 *   `time <committed_at, ISO 8601 UTC with milliseconds>\n` + `\n` + `<message>`.
 */

/** RFC 8785: keys sorted by UTF-16 code units, no whitespace, numbers and strings as ECMAScript
 * writes them (JSON.stringify does both); non-finite numbers are not JSON. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not a JSON number: ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      // Default sort compares UTF-16 code units, as RFC 8785 asks.
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

export const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

/** What an example's hash covers. */
export interface ExampleContent {
  id: string;
  type: string;
  input: unknown;
  output: unknown;
  labels: unknown;
  source_decision_id: string | null;
}

export function exampleHash(example: ExampleContent): string {
  const { id, type, input, output, labels, source_decision_id } = example;
  return sha256Hex(canonicalJson({ id, type, input, output, labels, source_decision_id }));
}

/** Tree hash of example hashes already in ascending order (hex). */
export function treeHashOfSorted(sortedHexHashes: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const h of sortedHexHashes) hash.update(`${h}\n`);
  return hash.digest('hex');
}

export interface CommitHeader {
  tree: string;
  parents: readonly string[];
  author: string;
  committedAt: Date;
  message: string;
}

export function commitText(c: CommitHeader): string {
  const parents = c.parents.map((p) => `parent ${p}\n`).join('');
  return `tree ${c.tree}\n${parents}author ${c.author}\ntime ${c.committedAt.toISOString()}\n\n${c.message}`;
}

export const commitHash = (c: CommitHeader): string => sha256Hex(commitText(c));
