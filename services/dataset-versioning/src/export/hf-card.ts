import { stringify } from 'yaml';
import type { SplitName, SplitRatios } from './splits';

export interface CardInfo {
  dataset: string;
  ref: string;
  commit: string;
  ratios: SplitRatios;
  stratify: boolean;
}

export interface SplitFile {
  split: SplitName;
  /** Path inside the archive, e.g. `data/train-00000-of-00001.parquet`. */
  name: string;
  rows: number;
}

/** The columns of each split's Parquet file, as `datasets` features. JSON columns load as text. */
const FEATURES = [
  { name: 'example_id', dtype: 'string' },
  { name: 'type', dtype: 'string' },
  { name: 'input', dtype: 'string' },
  { name: 'output', dtype: 'string' },
  { name: 'quality_score', dtype: 'float64' },
  { name: 'labels', dtype: 'string' },
  { name: 'split', dtype: 'string' },
];

/** README.md of a Hugging Face dataset: YAML front matter `datasets` reads, then a short card. */
export function datasetCard(info: CardInfo, files: SplitFile[]): string {
  const front = {
    pretty_name: info.dataset,
    configs: [
      {
        config_name: 'default',
        data_files: files.map((f) => ({ split: f.split, path: `data/${f.split}-*.parquet` })),
      },
    ],
    dataset_info: {
      config_name: 'default',
      features: FEATURES,
      splits: files.map((f) => ({ name: f.split, num_examples: f.rows })),
    },
  };
  const method = info.stratify
    ? 'stratified by label, in the order the examples were added'
    : 'by a hash of each example id';
  const shares = (Object.entries(info.ratios) as [SplitName, number][])
    .map(([split, ratio]) => `${split} ${ratio}`)
    .join(', ');
  return [
    '---',
    stringify(front).trimEnd(),
    '---',
    '',
    `# ${info.dataset}`,
    '',
    `Examples of the dataset \`${info.dataset}\` at ref \`${info.ref}\`, commit \`${info.commit}\`.`,
    '',
    `Examples go to splits (${shares}) ${method}.`,
    '',
    '| split | examples |',
    '| --- | ---: |',
    ...files.map((f) => `| ${f.split} | ${f.rows} |`),
    '',
    '`input`, `output` and `labels` hold JSON text; `labels` and `quality_score` (0-100) may be null.',
    '',
  ].join('\n');
}
