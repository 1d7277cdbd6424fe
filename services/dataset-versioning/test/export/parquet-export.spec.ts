import { statSync } from 'node:fs';
import { writeExport } from '../../src/export/write-export';
import { openDuck, sqlPath, type Duck } from './duckdb.spec-fixture';
import { examples, OPTIONS, streamOf, tempDir } from './examples.spec-fixture';
import { expectedRow, parquetRow } from './parquet-rows.spec-fixture';

describe('Parquet export', () => {
  const temp = tempDir('parquet');
  let duck: Duck;
  beforeAll(async () => (duck = await openDuck()));
  afterAll(() => {
    duck.close();
    temp.remove();
  });

  it('declares its columns with their types, JSON ones as JSON', async () => {
    const file = await writeExport('parquet', streamOf(examples(5)), temp.dir, OPTIONS);
    const columns = await duck.rows(`DESCRIBE SELECT * FROM read_parquet(${sqlPath(file.path)})`);
    expect(Object.fromEntries(columns.map((c) => [c['column_name'], c['column_type']]))).toEqual({
      example_id: 'VARCHAR',
      type: 'VARCHAR',
      input: 'JSON',
      output: 'JSON',
      quality_score: 'DOUBLE',
      labels: 'JSON',
      split: 'VARCHAR',
    });
    expect(file.contentType).toBe('application/vnd.apache.parquet');
  });

  it('is read back by DuckDB with every example and its split', async () => {
    const source = examples(300);
    const file = await writeExport('parquet', streamOf(source), temp.dir, {
      ...OPTIONS,
      ref: 'v2',
    });
    expect(file.fileName).toBe('orders-v2-3f9a1c2b7d4e.parquet');
    expect(file.rows).toBe(300);
    expect(file.bytes).toBe(statSync(file.path).size);
    const rows = await duck.rows(`SELECT * FROM read_parquet(${sqlPath(file.path)})`);
    expect(rows.map(parquetRow)).toEqual(source.map((e) => expectedRow(e)));
  });

  it('writes only the split asked for', async () => {
    const source = examples(400);
    const file = await writeExport('parquet', streamOf(source), temp.dir, {
      ...OPTIONS,
      split: 'train',
    });
    const rows = await duck.rows(`SELECT * FROM read_parquet(${sqlPath(file.path)})`);
    const expected = source.map((e) => expectedRow(e)).filter((r) => r.split === 'train');
    expect(expected.length).toBeGreaterThan(source.length / 2);
    expect(rows.map(parquetRow)).toEqual(expected);
  });
});
