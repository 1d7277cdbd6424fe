import { type ColumnSpec } from '@refinery/datagen';
import type { ExportExample } from './export-example';
import type { SplitName } from './splits';
import type { FeatureValue } from './tf-example';

/** How an example becomes one row of a table format: its columns and the row's values. */
export interface TableLayout {
  columns: ColumnSpec[];
  row(example: ExportExample, split: SplitName): unknown[];
}

/** The datagen JSONL sink nests json columns, so each line is `{"input","output","metadata"}`. */
export const JSONL_LAYOUT: TableLayout = {
  columns: [
    { name: 'input', type: 'json' },
    { name: 'output', type: 'json' },
    { name: 'metadata', type: 'json' },
  ],
  row: (example, split) => [example.input, example.output, jsonlMetadata(example, split)],
};

/** The example's own fields win over a metadata key of the same name. */
function jsonlMetadata(example: ExportExample, split: SplitName): Record<string, unknown> {
  const own = {
    id: example.id,
    type: example.type,
    labels: example.labels,
    quality_score: example.quality_score,
  };
  return Object.assign({ ...own }, example.metadata, own, { split });
}

/** No split column: a CSV export is one split or the whole dataset, as asked. */
export const CSV_LAYOUT: TableLayout = {
  columns: [
    { name: 'example_id', type: 'string' },
    { name: 'type', type: 'string' },
    { name: 'input_json', type: 'json' },
    { name: 'output_json', type: 'json' },
    { name: 'quality_score', type: 'number' },
    { name: 'labels', type: 'json' },
  ],
  row: (e) => [e.id, e.type, e.input, e.output, e.quality_score, e.labels],
};

/** Parquet, in a Parquet export and in each split of a Hugging Face one. */
export const PARQUET_LAYOUT: TableLayout = {
  columns: [
    { name: 'example_id', type: 'string' },
    { name: 'type', type: 'string' },
    { name: 'input', type: 'json' },
    { name: 'output', type: 'json' },
    { name: 'quality_score', type: 'number' },
    { name: 'labels', type: 'json' },
    { name: 'split', type: 'string' },
  ],
  row: (e, split) => [e.id, e.type, e.input, e.output, e.quality_score, e.labels, split],
};

/**
 * Features of the tf.train.Example. JSON values as their text, `labels_json` being `null` when
 * there are none. A missing quality_score leaves its feature out rather than an empty list, which
 * a FixedLenFeature with a default_value reads as the default.
 */
export function tfFeatures(example: ExportExample, split: SplitName): [string, FeatureValue][] {
  const features: [string, FeatureValue][] = [
    ['example_id', example.id],
    ['type', example.type],
    ['input_json', JSON.stringify(example.input)],
    ['output_json', JSON.stringify(example.output)],
    ['labels_json', JSON.stringify(example.labels)],
    ['split', split],
  ];
  if (example.quality_score !== null) features.push(['quality_score', example.quality_score]);
  return features;
}
