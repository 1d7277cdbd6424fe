import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asInput, openDuck, SAMPLE_TYPES, sqlPath, type Duck } from './duckdb.spec-fixture';
import { FILE_EXTENSIONS, openSink } from './index';
import { COLUMNS, expectedObjects, ROWS, tempDir } from './sample.spec-fixture';

describe('JSONL sink', () => {
  const temp = tempDir();
  let duck: Duck;
  beforeAll(async () => (duck = await openDuck()));
  afterAll(() => {
    duck.close();
    temp.remove();
  });

  function writeSample(name: string): { path: string; rows: number; bytes: number } {
    const path = join(temp.dir, name + FILE_EXTENSIONS.jsonl);
    const sink = openSink('jsonl', path, COLUMNS);
    for (const row of ROWS) sink.write(row);
    return { path, ...sink.close() };
  }

  it('writes one object per line, keys in column order, values round-tripping', () => {
    const { path, rows, bytes } = writeSample('sample');
    const text = readFileSync(path, 'utf8');
    expect(rows).toBe(ROWS.length);
    expect(bytes).toBe(Buffer.byteLength(text));
    expect(text.endsWith('}\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(ROWS.length);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toEqual(expectedObjects());
    for (const object of parsed) expect(Object.keys(object)).toEqual(COLUMNS.map((c) => c.name));
  });

  it('prints numbers as JS does and timestamps as ISO 8601 UTC', () => {
    const { path } = writeSample('exact');
    const first = readFileSync(path, 'utf8').split('\n')[0];
    expect(first).toBe(
      '{"text":"héllo wörld 👋 日本語","count":9007199254740991,"amount":-0.5,"flag":true,' +
        '"at":"2026-01-05T10:00:00.000Z","doc":{"a":[1,2,{"b":"x\\"y"}],"c":null}}',
    );
    expect(readFileSync(path, 'utf8').split('\n')[4]).toBe(
      '{"text":null,"count":null,"amount":null,"flag":null,"at":null,"doc":null}',
    );
  });

  it('is read by DuckDB read_json', async () => {
    const { path } = writeSample('duck');
    const rows = await duck.rows(
      `SELECT * FROM read_json(${sqlPath(path)}, format = 'newline_delimited', columns = ${SAMPLE_TYPES})`,
    );
    expect(rows.map((r) => asInput(Object.values(r), 5))).toEqual(ROWS);
  });

  it('writes the same bytes for the same rows', () => {
    expect(readFileSync(writeSample('once').path)).toEqual(readFileSync(writeSample('twice').path));
  });
});
