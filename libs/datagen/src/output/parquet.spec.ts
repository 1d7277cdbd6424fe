import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Hyparquet from 'hyparquet' with { 'resolution-mode': 'import' };
import { asInput, openDuck, sqlPath, type Duck } from './duckdb.spec-fixture';
import { requireEsm } from './esm';
import { defaultRowGroupSize, FILE_EXTENSIONS, openSink } from './index';
import { COLUMNS, ROWS, tempDir } from './sample.spec-fixture';
import type { Row } from './types';

const hyparquet = requireEsm<typeof Hyparquet>('hyparquet');

function fileBuffer(path: string): ArrayBuffer {
  const bytes = readFileSync(path);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

describe('Parquet sink', () => {
  const temp = tempDir();
  let duck: Duck;
  beforeAll(async () => (duck = await openDuck()));
  afterAll(() => {
    duck.close();
    temp.remove();
  });

  function write(name: string, rows: Iterable<Row>, rowGroupSize?: number) {
    const path = join(temp.dir, name + FILE_EXTENSIONS.parquet);
    const sink = openSink('parquet', path, COLUMNS, { rowGroupSize });
    for (const row of rows) sink.write(row);
    return { path, ...sink.close() };
  }

  it('declares each column with its Parquet type, all nullable', async () => {
    const { path } = write('types', ROWS);
    expect(await duck.types(`SELECT * FROM read_parquet(${sqlPath(path)})`)).toEqual({
      text: 'VARCHAR',
      count: 'BIGINT',
      amount: 'DOUBLE',
      flag: 'BOOLEAN',
      at: 'TIMESTAMP WITH TIME ZONE',
      doc: 'JSON',
    });
    const { schema } = hyparquet.parquetMetadata(fileBuffer(path));
    expect(
      schema.slice(1).map(({ name, type, converted_type, logical_type, repetition_type }) => ({
        name,
        type,
        converted_type,
        logical_type,
        repetition_type,
      })),
    ).toEqual([
      {
        name: 'text',
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        logical_type: { type: 'STRING' },
        repetition_type: 'OPTIONAL',
      },
      {
        name: 'count',
        type: 'INT64',
        converted_type: undefined,
        logical_type: undefined,
        repetition_type: 'OPTIONAL',
      },
      {
        name: 'amount',
        type: 'DOUBLE',
        converted_type: undefined,
        logical_type: undefined,
        repetition_type: 'OPTIONAL',
      },
      {
        name: 'flag',
        type: 'BOOLEAN',
        converted_type: undefined,
        logical_type: undefined,
        repetition_type: 'OPTIONAL',
      },
      {
        name: 'at',
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        repetition_type: 'OPTIONAL',
      },
      {
        name: 'doc',
        type: 'BYTE_ARRAY',
        converted_type: 'JSON',
        logical_type: { type: 'JSON' },
        repetition_type: 'OPTIONAL',
      },
    ]);
  });

  it('is read back by DuckDB with the values written', async () => {
    const { path, rows, bytes } = write('duck', ROWS);
    expect(rows).toBe(ROWS.length);
    expect(bytes).toBe(readFileSync(path).length);
    const read = await duck.rows(`SELECT * FROM read_parquet(${sqlPath(path)})`);
    expect(read.map((r) => asInput(Object.values(r), 5))).toEqual(ROWS);
  });

  it('is read back by hyparquet with the values written', async () => {
    const { path } = write('hyparquet', ROWS);
    const read = await hyparquet.parquetReadObjects({ file: fileBuffer(path) });
    // hyparquet parses JSON columns itself; bigints and Dates are made plain as for DuckDB.
    expect(read.map((r) => asInput(Object.values(r), -1))).toEqual(ROWS);
    expect(typeof read[0]['count']).toBe('bigint');
  });

  it('writes one row group per rowGroupSize rows', async () => {
    const total = 200_000;
    const { path, rows } = write('groups', manyRows(total), 65_536);
    expect(rows).toBe(total);
    const source = `read_parquet(${sqlPath(path)})`;
    const [summary] = await duck.rows(
      `SELECT count(*) AS n, sum("count") AS total, max("at") AS last FROM ${source}`,
    );
    expect(summary).toEqual({
      n: BigInt(total),
      total: BigInt((total * (total - 1)) / 2),
      last: new Date(total - 1),
    });
    const groups = await duck.rows(
      `SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(${sqlPath(path)}) ORDER BY 1`,
    );
    expect(groups.map((g) => g['row_group_num_rows'])).toEqual([65_536n, 65_536n, 65_536n, 3_392n]);
    // Rows either side of a row group boundary come back in order, through the other reader too.
    const read = await hyparquet.parquetReadObjects({
      file: fileBuffer(path),
      rowStart: 65_534,
      rowEnd: 65_538,
    });
    expect(read.map((r) => Number(r['count']))).toEqual([65_534, 65_535, 65_536, 65_537]);
  });

  it('makes row groups smaller by default for wider tables', () => {
    expect([1, 4, 8, 16, 100, 1000].map(defaultRowGroupSize)).toEqual([
      32_768, 32_768, 16_384, 8_192, 1_310, 1_024,
    ]);
  });

  it('writes a readable file with no rows', async () => {
    const { path, rows } = write('empty', []);
    expect(rows).toBe(0);
    expect(await duck.rows(`SELECT count(*) AS n FROM read_parquet(${sqlPath(path)})`)).toEqual([
      { n: 0n },
    ]);
  });

  it('writes the same bytes for the same rows, on any machine', () => {
    const once = readFileSync(write('once', ROWS).path);
    expect(readFileSync(write('twice', ROWS).path)).toEqual(once);
    // Pins the bytes across machines; a new hyparquet-writer version may change them.
    expect(createHash('sha256').update(once).digest('hex')).toBe(
      '8e18d0fb57cc9cbc1775edd22d2f1a5097df35d9c04ef50a0ae581c928187fb3',
    );
  });
});

function* manyRows(count: number): Generator<Row> {
  for (let i = 0; i < count; i++) {
    yield [`row ${i}`, i, i / 7, i % 3 === 0, i, i % 10 === 0 ? null : { i }];
  }
}
