import { readdirSync } from 'node:fs';
import type { ExportExample, ExportFormat } from '../../src/export/export-example';
import { EXPORT_FORMATS } from '../../src/export/export-example';
import type { SplitName } from '../../src/export/splits';
import { writeExport } from '../../src/export/write-export';
import { examples, OPTIONS, streamOf, tempDir } from './examples.spec-fixture';

/** A cursor that fails after a few rows, as a dropped database connection would. */
async function* failingAfter(count: number): AsyncGenerator<ExportExample> {
  yield* streamOf(examples(count));
  throw new Error('connection terminated unexpectedly');
}

describe('writeExport', () => {
  const temp = tempDir('write');
  afterAll(() => temp.remove());

  it('names the file for download after the dataset, ref, commit and split', async () => {
    const file = await writeExport('csv', streamOf(examples(3)), temp.dir, {
      dataset: 'support tickets/EU',
      ref: 'feature/new-labels',
      commit: 'abcdef0123456789abcdef0123456789abcdef01',
      split: 'train',
    });
    expect(file.fileName).toBe('support-tickets-EU-feature-new-labels-abcdef012345-train.csv');
    expect(file.path).toBe(`${temp.dir}/${file.fileName}`);
  });

  it.each(EXPORT_FORMATS)('reports the error of a failing stream (%s)', async (format) => {
    const dir = tempDir(`fail-${format}`);
    try {
      await expect(writeExport(format, failingAfter(5), dir.dir, OPTIONS)).rejects.toThrow(
        'connection terminated unexpectedly',
      );
      // No half-written file is left to be mistaken for an export.
      expect(readdirSync(dir.dir)).toEqual([]);
    } finally {
      dir.remove();
    }
  });

  it('rejects an unknown format or split by name', async () => {
    await expect(
      writeExport('xlsx' as ExportFormat, streamOf([]), temp.dir, OPTIONS),
    ).rejects.toThrow('unknown export format "xlsx" (formats: jsonl, csv, parquet, tfrecord, hf)');
    await expect(
      writeExport('jsonl', streamOf([]), temp.dir, { ...OPTIONS, split: 'dev' as SplitName }),
    ).rejects.toThrow('unknown split "dev" (splits: train, validation, test)');
  });
});
