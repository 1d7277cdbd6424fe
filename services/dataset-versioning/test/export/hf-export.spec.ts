import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { ExportExample } from '../../src/export/export-example';
import { SPLIT_NAMES, splitOf, type SplitRatios } from '../../src/export/splits';
import { writeExport, type ExportOptions } from '../../src/export/write-export';
import { openDuck, sqlPath, type Duck } from './duckdb.spec-fixture';
import { examples, OPTIONS, streamOf, tempDir } from './examples.spec-fixture';
import { expectedRow, parquetRow } from './parquet-rows.spec-fixture';

const run = promisify(execFile);

interface Card {
  front: {
    configs: { config_name: string; data_files: { split: string; path: string }[] }[];
    dataset_info: {
      features: { name: string; dtype: string }[];
      splits: { name: string; num_examples: number }[];
    };
  };
  body: string;
}

describe('Hugging Face export', () => {
  const temp = tempDir('hf');
  let duck: Duck;
  beforeAll(async () => (duck = await openDuck()));
  afterAll(() => {
    duck.close();
    temp.remove();
  });

  /** Exports into a directory of its own, untars with the system tar and reads the card. */
  async function exportHf(name: string, source: ExportExample[], options: Partial<ExportOptions>) {
    const dir = join(temp.dir, name);
    mkdirSync(join(dir, 'out'), { recursive: true });
    const file = await writeExport('hf', streamOf(source), dir, { ...OPTIONS, ...options });
    const listed = (await run('tar', ['-tf', file.path])).stdout.trim().split('\n');
    await run('tar', ['-xf', file.path, '-C', join(dir, 'out')]);
    const readme = readFileSync(join(dir, 'out', 'README.md'), 'utf8');
    const [, yaml, body] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(readme) ?? [];
    const card: Card = { front: parse(yaml) as Card['front'], body };
    const readSplit = async (split: string) =>
      (
        await duck.rows(
          `SELECT * FROM read_parquet(${sqlPath(join(dir, 'out', 'data', `${split}-00000-of-00001.parquet`))})`,
        )
      ).map(parquetRow);
    return { dir, file, listed, card, readSplit };
  }

  it('is a tar of a dataset card and one Parquet file per split', async () => {
    const source = examples(500);
    const { dir, file, listed, card, readSplit } = await exportHf('all', source, {});
    expect(file).toMatchObject({
      fileName: 'orders-main-3f9a1c2b7d4e.tar',
      contentType: 'application/x-tar',
      rows: 500,
      bytes: statSync(file.path).size,
    });
    // The per-split Parquet files written on the way are gone; only the archive stays.
    expect(readdirSync(dir).sort()).toEqual(['orders-main-3f9a1c2b7d4e.tar', 'out']);
    expect(listed).toEqual([
      'README.md',
      'data/train-00000-of-00001.parquet',
      'data/validation-00000-of-00001.parquet',
      'data/test-00000-of-00001.parquet',
    ]);
    expect(card.front.configs).toEqual([
      {
        config_name: 'default',
        data_files: [
          { split: 'train', path: 'data/train-*.parquet' },
          { split: 'validation', path: 'data/validation-*.parquet' },
          { split: 'test', path: 'data/test-*.parquet' },
        ],
      },
    ]);
    const read = await Promise.all(SPLIT_NAMES.map(readSplit));
    expect(card.front.dataset_info.splits).toEqual(
      SPLIT_NAMES.map((name, i) => ({ name, num_examples: read[i].length })),
    );
    // Each file holds its split's examples, and together they are the whole source.
    read.forEach((rows, i) =>
      expect(new Set(rows.map((r) => r.split))).toEqual(new Set([SPLIT_NAMES[i]])),
    );
    const byId = (a: { example_id: unknown }, b: { example_id: unknown }) =>
      String(a.example_id).localeCompare(String(b.example_id));
    expect(read.flat().sort(byId)).toEqual(source.map((e) => expectedRow(e)).sort(byId));
  });

  it('describes the Parquet columns in the card and names the dataset, ref and commit', async () => {
    const { card, dir } = await exportHf('card', examples(30), { ref: 'release-1' });
    const columns = await duck.rows(
      `DESCRIBE SELECT * FROM read_parquet(${sqlPath(join(dir, 'out', 'data', 'train-00000-of-00001.parquet'))})`,
    );
    expect(card.front.dataset_info.features.map((f) => f.name)).toEqual(
      columns.map((c) => c['column_name']),
    );
    expect(card.body).toContain('# orders');
    expect(card.body).toContain('`release-1`');
    expect(card.body).toContain(`\`${OPTIONS.commit}\``);
  });

  it('holds every split even when one split is asked for', async () => {
    const { listed, file } = await exportHf('one', examples(200), { split: 'test' });
    expect(file.rows).toBe(200);
    expect(file.fileName).toBe('orders-main-3f9a1c2b7d4e.tar');
    expect(listed).toHaveLength(4);
  });

  it('leaves an empty split out of the archive and the card', async () => {
    const ratios: SplitRatios = { train: 0.7, validation: 0.3, test: 0 };
    const source = examples(100);
    const { listed, card, readSplit } = await exportHf('no-test', source, { ratios });
    expect(listed).toEqual([
      'README.md',
      'data/train-00000-of-00001.parquet',
      'data/validation-00000-of-00001.parquet',
    ]);
    expect(card.front.configs[0].data_files.map((f) => f.split)).toEqual(['train', 'validation']);
    const validation = await readSplit('validation');
    expect(validation.map((r) => r.example_id)).toEqual(
      source.filter((e) => splitOf(e.id, ratios) === 'validation').map((e) => e.id),
    );
  });

  it('is an empty train split for a dataset with no examples, still loadable', async () => {
    const { listed, card, readSplit } = await exportHf('empty', [], {});
    expect(listed).toEqual(['README.md', 'data/train-00000-of-00001.parquet']);
    expect(card.front.dataset_info.splits).toEqual([{ name: 'train', num_examples: 0 }]);
    expect(await readSplit('train')).toEqual([]);
  });
});
