import { fromSql, toSql } from 'pgvector';
import type { ValueTransformer } from 'typeorm';

/**
 * Maps a `number[]` property to a pgvector column and back, in pgvector's text format
 * (`[1,2.5,-3]`), for columns declared as `@Column({ type: 'vector', transformer: vectorTransformer })`.
 *
 * Nearest-neighbour search by cosine distance needs an HNSW index, created in a migration:
 *
 *     CREATE INDEX feedback_embedding_hnsw ON feedback USING hnsw (embedding vector_cosine_ops);
 *     -- queried with: ORDER BY embedding <=> $1 LIMIT 10
 *
 * The column needs a fixed dimension (`embedding vector(384)`) to be indexable. On a table
 * that already holds rows, build it with CREATE INDEX CONCURRENTLY from a migration with
 * `transaction = false`, since that statement cannot run inside a transaction.
 */
export const vectorTransformer: ValueTransformer = {
  to: (value: unknown): string | null | undefined => {
    if (value === null || value === undefined) return value;
    if (!Array.isArray(value)) throw new TypeError('a vector column takes an array of numbers');
    return vectorToSql(value);
  },
  from: (value: unknown): number[] | null => {
    if (value === null || value === undefined) return null;
    // TypeORM's Postgres driver may already have parsed the text into numbers.
    if (Array.isArray(value)) return value.map(Number);
    if (typeof value !== 'string')
      throw new TypeError(`unexpected vector value from the database: ${typeof value}`);
    return vectorFromSql(value);
  },
};

/** pgvector's text format, `[1,2.5,-3]`, refusing what the column would reject later. */
export function vectorToSql(vector: readonly number[]): string {
  for (const component of vector) {
    if (typeof component !== 'number' || !Number.isFinite(component)) {
      throw new TypeError(`a vector takes finite numbers only, got ${String(component)}`);
    }
  }
  return toSql([...vector]) as string;
}

export function vectorFromSql(text: string): number[] {
  if (!text.startsWith('[') || !text.endsWith(']')) throw new TypeError(`not a vector: ${text}`);
  return fromSql(text) as number[];
}
