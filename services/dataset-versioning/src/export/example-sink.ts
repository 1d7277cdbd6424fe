import { openSink } from '@refinery/datagen';
import {
  CSV_LAYOUT,
  JSONL_LAYOUT,
  PARQUET_LAYOUT,
  tfFeatures,
  type TableLayout,
} from './example-rows';
import type { ExportExample, ExportFormat } from './export-example';
import type { SplitName } from './splits';
import { encodeExample } from './tf-example';
import { openTfRecord } from './tfrecord';

/** The formats written as one file of rows; `hf` is a tar of Parquet files and a card. */
export type FileFormat = Exclude<ExportFormat, 'hf'>;

export interface ExampleSink {
  write(example: ExportExample, split: SplitName): void;
  close(): { rows: number; bytes: number };
}

const LAYOUTS: Record<Exclude<FileFormat, 'tfrecord'>, TableLayout> = {
  jsonl: JSONL_LAYOUT,
  csv: CSV_LAYOUT,
  parquet: PARQUET_LAYOUT,
};

/** Opens (creates or truncates) `path` for examples in `format`. Writes are synchronous. */
export function openExampleSink(format: FileFormat, path: string): ExampleSink {
  if (format === 'tfrecord') {
    const file = openTfRecord(path);
    return {
      write: (example, split) => file.write(encodeExample(tfFeatures(example, split))),
      close: () => file.close(),
    };
  }
  const layout = LAYOUTS[format];
  const sink = openSink(format, path, layout.columns);
  return {
    write: (example, split) => sink.write(layout.row(example, split)),
    close: () => sink.close(),
  };
}

/** Closes a sink after a failure, releasing its file; the failure is the error to report. */
export function abandon(sink: ExampleSink): void {
  try {
    sink.close();
  } catch {
    // already reporting the error that stopped the export
  }
}
