import { DuckDBInstance } from '@duckdb/node-api';

export interface Duck {
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** Column name → DuckDB type of the query's result, e.g. `{ at: 'TIMESTAMP WITH TIME ZONE' }`. */
  types(sql: string): Promise<Record<string, string>>;
  close(): void;
}

/** An in-memory DuckDB, the independent reader the files are checked with. */
export async function openDuck(): Promise<Duck> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  return {
    async rows(sql) {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS();
    },
    async types(sql) {
      const described = (await connection.runAndReadAll(`DESCRIBE ${sql}`)).getRowObjectsJS();
      return Object.fromEntries(described.map((r) => [r['column_name'], r['column_type']]));
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A path as an SQL string literal. */
export function sqlPath(path: string): string {
  return `'${path.replaceAll("'", "''")}'`;
}

/** DuckDB types of the sample's columns, for readers that take them (read_csv, read_json). */
export const SAMPLE_TYPES =
  "{'text': 'VARCHAR', 'count': 'BIGINT', 'amount': 'DOUBLE', 'flag': 'BOOLEAN', 'at': 'TIMESTAMPTZ', 'doc': 'JSON'}";

/** A row read back (by DuckDB or hyparquet) in the sink's input form, to compare with ROWS:
 * bigint → number, Date → epoch ms, JSON text → value. */
export function asInput(values: unknown[], jsonIndex: number): unknown[] {
  return values.map((value, i) => {
    if (typeof value === 'bigint') return Number(value);
    if (Object.prototype.toString.call(value) === '[object Date]') return (value as Date).getTime();
    if (i === jsonIndex && typeof value === 'string') return JSON.parse(value);
    return value;
  });
}
