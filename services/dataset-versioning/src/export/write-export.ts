import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { abandon, openExampleSink, type FileFormat } from './example-sink';
import { EXPORT_FORMATS, type ExportExample, type ExportFormat } from './export-example';
import { writeHfExport } from './hf-export';
import {
  checkRatios,
  SPLIT_NAMES,
  splitterFor,
  type SplitName,
  type SplitRatios,
  type Splitter,
} from './splits';

export interface ExportOptions {
  dataset: string;
  ref: string;
  commit: string;
  /** Only this split's examples (ignored by `hf`, which holds every split). */
  split?: SplitName;
  /** Defaults to DEFAULT_RATIOS (80/10/10). */
  ratios?: SplitRatios;
  /** Stratify the splits by label: the examples must then come in a stable order (see SplitAssigner). */
  stratify?: boolean;
}

export interface ExportFile {
  path: string;
  /** The name to offer for download. */
  fileName: string;
  contentType: string;
  rows: number;
  bytes: number;
}

const FILES: Record<ExportFormat, { extension: string; contentType: string }> = {
  jsonl: { extension: 'jsonl', contentType: 'application/x-ndjson' },
  csv: { extension: 'csv', contentType: 'text/csv; charset=utf-8; header=present' },
  parquet: { extension: 'parquet', contentType: 'application/vnd.apache.parquet' },
  tfrecord: { extension: 'tfrecord', contentType: 'application/octet-stream' },
  hf: { extension: 'tar', contentType: 'application/x-tar' },
};

/**
 * Writes the examples in `format` to one new file in `dir`, reading them once as they stream in:
 * memory does not grow with their number.
 */
export async function writeExport(
  format: ExportFormat,
  examples: AsyncIterable<ExportExample>,
  dir: string,
  options: ExportOptions,
): Promise<ExportFile> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new RangeError(
      `unknown export format "${format}" (formats: ${EXPORT_FORMATS.join(', ')})`,
    );
  }
  if (options.split !== undefined && !SPLIT_NAMES.includes(options.split)) {
    throw new RangeError(`unknown split "${options.split}" (splits: ${SPLIT_NAMES.join(', ')})`);
  }
  const ratios = checkRatios(options.ratios);
  const stratify = options.stratify ?? false;
  const splitOf = splitterFor(ratios, stratify);
  const fileName = exportFileName(format, options);
  const path = join(dir, fileName);
  const written =
    format === 'hf'
      ? await writeHfExport(examples, splitOf, path, { ...card(options), ratios, stratify })
      : await writeFile(format, examples, splitOf, path, options.split);
  return { path, fileName, contentType: FILES[format].contentType, ...written };
}

async function writeFile(
  format: FileFormat,
  examples: AsyncIterable<ExportExample>,
  splitOf: Splitter,
  path: string,
  only: SplitName | undefined,
): Promise<{ rows: number; bytes: number }> {
  const sink = openExampleSink(format, path);
  try {
    for await (const example of examples) {
      // Every example goes through the splitter: a stratified one counts them all.
      const split = splitOf(example);
      if (only === undefined || split === only) sink.write(example, split);
    }
  } catch (error) {
    abandon(sink);
    rmSync(path, { force: true }); // half a file must not be taken for an export
    throw error;
  }
  return sink.close();
}

function card({ dataset, ref, commit }: ExportOptions) {
  return { dataset, ref, commit };
}

/** e.g. `orders-main-3f9a1c2b7d4e-test.parquet`: names and ref reduced to file-name-safe text. */
function exportFileName(format: ExportFormat, options: ExportOptions): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-');
  const parts = [options.dataset, options.ref, options.commit.slice(0, 12)];
  if (options.split !== undefined && format !== 'hf') parts.push(options.split);
  return parts.map(safe).join('-') + '.' + FILES[format].extension;
}
