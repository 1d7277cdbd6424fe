import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvField } from './csv';
import { asInput, openDuck, SAMPLE_TYPES, sqlPath, type Duck } from './duckdb.spec-fixture';
import { FILE_EXTENSIONS, openSink } from './index';
import { COLUMNS, ROWS, tempDir } from './sample.spec-fixture';

describe('CSV sink', () => {
  const temp = tempDir();
  let duck: Duck;
  beforeAll(async () => (duck = await openDuck()));
  afterAll(() => {
    duck.close();
    temp.remove();
  });

  function writeSample(name: string): { path: string; rows: number; bytes: number } {
    const path = join(temp.dir, name + FILE_EXTENSIONS.csv);
    const sink = openSink('csv', path, COLUMNS);
    for (const row of ROWS) sink.write(row);
    return { path, ...sink.close() };
  }

  it('quotes a field only for , " CR or LF, and the empty string apart from null', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField('a\rb')).toBe('"a\rb"');
    expect(csvField('')).toBe('""');
  });

  it('writes a header, then one line per row', () => {
    const { path, rows, bytes } = writeSample('exact');
    const text = readFileSync(path, 'utf8');
    expect(rows).toBe(ROWS.length);
    expect(bytes).toBe(Buffer.byteLength(text));
    expect(
      text.startsWith(
        'text,count,amount,flag,at,doc\n' +
          'héllo wörld 👋 日本語,9007199254740991,-0.5,true,' +
          '2026-01-05T10:00:00.000Z,"{""a"":[1,2,{""b"":""x\\""y""}],""c"":null}"\n',
      ),
    ).toBe(true);
    expect(text).toContain('\n"",42,1e-7,true,0001-01-01T00:00:00.000Z,[]\n,,,,,\n');
    expect(
      text.endsWith(
        '\nnull,2147483648,-1e-300,true,1970-01-01T00:00:00.000Z,"""a bare JSON string"""\n',
      ),
    ).toBe(true);
  });

  it('is read back by DuckDB read_csv, header and values', async () => {
    const { path } = writeSample('duck');
    // allow_quoted_nulls off: `""` is the empty string, only a bare empty field is null.
    const rows = await duck.rows(
      `SELECT * FROM read_csv(${sqlPath(path)}, header = true, allow_quoted_nulls = false, columns = ${SAMPLE_TYPES})`,
    );
    expect(rows.map((r) => asInput(Object.values(r), 5))).toEqual(ROWS);
  });

  it('has types DuckDB detects from the header and values', async () => {
    const { path } = writeSample('sniffed');
    const types = await duck.types(`SELECT * FROM read_csv(${sqlPath(path)})`);
    expect(types).toEqual({
      text: 'VARCHAR',
      count: 'BIGINT',
      amount: 'DOUBLE',
      flag: 'BOOLEAN',
      at: 'TIMESTAMP WITH TIME ZONE',
      doc: 'VARCHAR',
    });
  });

  it('writes the same bytes for the same rows', () => {
    expect(readFileSync(writeSample('once').path)).toEqual(readFileSync(writeSample('twice').path));
  });
});
