import { readFileSync, statSync } from 'node:fs';
import { writeExport } from '../../src/export/write-export';
import { openDuck, sqlPath, type Duck } from './duckdb.spec-fixture';
import { examples, OPTIONS, streamOf, tempDir } from './examples.spec-fixture';

const COLUMNS =
  "{'example_id': 'VARCHAR', 'type': 'VARCHAR', 'input_json': 'JSON', 'output_json': 'JSON', " +
  "'quality_score': 'DOUBLE', 'labels': 'JSON'}";

const parsed = (text: unknown) => (text === null ? null : (JSON.parse(text as string) as unknown));

describe('CSV export', () => {
  const temp = tempDir('csv');
  let duck: Duck;
  beforeAll(async () => (duck = await openDuck()));
  afterAll(() => {
    duck.close();
    temp.remove();
  });

  it('has exactly the columns training code expects', async () => {
    const file = await writeExport('csv', streamOf(examples(2)), temp.dir, OPTIONS);
    expect(readFileSync(file.path, 'utf8').split('\n')[0]).toBe(
      'example_id,type,input_json,output_json,quality_score,labels',
    );
    expect(file.contentType).toBe('text/csv; charset=utf-8; header=present');
  });

  it('is read back by DuckDB read_csv with every value, quoted fields and nulls included', async () => {
    const source = examples(300);
    const file = await writeExport('csv', streamOf(source), temp.dir, { ...OPTIONS, ref: 'all' });
    expect(file.rows).toBe(300);
    expect(file.bytes).toBe(statSync(file.path).size);
    // Only a bare empty field is null; a quoted one would be the empty string.
    const rows = await duck.rows(
      `SELECT * FROM read_csv(${sqlPath(file.path)}, header = true, allow_quoted_nulls = false, ` +
        `columns = ${COLUMNS})`,
    );
    expect(
      rows.map((r) => ({
        example_id: r['example_id'],
        type: r['type'],
        input: parsed(r['input_json']),
        output: parsed(r['output_json']),
        quality_score: r['quality_score'],
        labels: parsed(r['labels']),
      })),
    ).toEqual(
      source.map((e) => ({
        example_id: e.id,
        type: e.type,
        input: e.input,
        output: e.output,
        quality_score: e.quality_score,
        labels: e.labels,
      })),
    );
  });

  it('writes only the split asked for', async () => {
    const source = examples(400);
    const all = await writeExport('csv', streamOf(source), temp.dir, { ...OPTIONS, ref: 'every' });
    const test = await writeExport('csv', streamOf(source), temp.dir, {
      ...OPTIONS,
      split: 'test',
    });
    const ids = async (path: string) =>
      (
        await duck.rows(`SELECT example_id FROM read_csv(${sqlPath(path)}, columns = ${COLUMNS})`)
      ).map((r) => r['example_id']);
    const testIds = await ids(test.path);
    expect(testIds.length).toBe(test.rows);
    expect(testIds.length).toBeGreaterThan(10);
    expect(testIds.length).toBeLessThan(source.length / 4);
    // The test split's rows are a subsequence of the whole export, in the same order.
    const everyId = await ids(all.path);
    expect(everyId.filter((id) => testIds.includes(id))).toEqual(testIds);
  });
});
