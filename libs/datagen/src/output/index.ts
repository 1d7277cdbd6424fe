import { openCsv } from './csv';
import { openJsonl } from './jsonl';
import { openParquet } from './parquet';
import type { ColumnSpec, OutputFormat, RowSink, SinkOptions } from './types';

export type { ColumnSpec, ColumnType, OutputFormat, Row, RowSink, SinkOptions } from './types';
export { defaultRowGroupSize } from './parquet';

export const FILE_EXTENSIONS: Record<OutputFormat, string> = {
  jsonl: '.jsonl',
  csv: '.csv',
  parquet: '.parquet',
};

/** Opens (creates or truncates) `path` and returns a sink that writes rows to it in `format`. */
export function openSink(
  format: OutputFormat,
  path: string,
  columns: ColumnSpec[],
  options: SinkOptions = {},
): RowSink {
  const names = new Set(columns.map((c) => c.name));
  if (names.size !== columns.length) throw new Error('column names must be unique');
  switch (format) {
    case 'jsonl':
      return openJsonl(path, columns);
    case 'csv':
      return openCsv(path, columns);
    case 'parquet':
      return openParquet(path, columns, options);
    default:
      throw new Error(`unknown output format: ${String(format)}`);
  }
}
