import type { ExportExample } from '../../src/export/export-example';
import { DEFAULT_RATIOS, splitOf, type SplitName } from '../../src/export/splits';

/** A Parquet row as read back, JSON columns parsed, to compare with the source example. */
export function parquetRow(r: Record<string, unknown>) {
  const parsed = (text: unknown) =>
    text === null ? null : (JSON.parse(text as string) as unknown);
  return {
    example_id: r['example_id'],
    type: r['type'],
    input: parsed(r['input']),
    output: parsed(r['output']),
    quality_score: r['quality_score'],
    labels: parsed(r['labels']),
    split: r['split'],
  };
}

/** The row an example should come back as. */
export function expectedRow(e: ExportExample, split: SplitName = splitOf(e.id, DEFAULT_RATIOS)) {
  return {
    example_id: e.id,
    type: e.type,
    input: e.input,
    output: e.output,
    quality_score: e.quality_score,
    labels: e.labels,
    split,
  };
}
