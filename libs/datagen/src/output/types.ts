export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp' | 'json';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

/** One row is an array of values in the columns' order. null (or undefined) = missing.
 * string: string; integer/number: number (integers are safe integers); boolean: boolean;
 * timestamp: epoch milliseconds (number), written as ISO 8601 UTC `2026-01-05T10:00:00.000Z` in JSONL/CSV
 * and as a Parquet TIMESTAMP (millis, UTC); json: any JSON value (object/array), written as a nested
 * JSON value in JSONL, as its JSON text in CSV and in Parquet (a JSON-typed string column). */
export type Row = unknown[];

export type OutputFormat = 'jsonl' | 'csv' | 'parquet';

export interface RowSink {
  /** Synchronous on purpose: the generator is a synchronous loop; buffer and flush with fs.writeSync. */
  write(row: Row): void;
  /** Flushes, writes any footer, closes the file. */
  close(): { rows: number; bytes: number };
}

export interface SinkOptions {
  /** Parquet only: rows per row group, which bounds the memory the sink uses
   * (default: defaultRowGroupSize(columns.length)). */
  rowGroupSize?: number;
}
