import { readFileSync, statSync } from 'node:fs';
import { DEFAULT_RATIOS, splitOf } from '../../src/export/splits';
import { writeExport } from '../../src/export/write-export';
import { openDuck, sqlPath, type Duck } from './duckdb.spec-fixture';
import { example, examples, OPTIONS, streamOf, tempDir } from './examples.spec-fixture';
import type { ExportExample } from '../../src/export/export-example';

function expectedLine(e: ExportExample) {
  return {
    input: e.input,
    output: e.output,
    metadata: {
      id: e.id,
      type: e.type,
      labels: e.labels,
      quality_score: e.quality_score,
      ...e.metadata,
      split: splitOf(e.id, DEFAULT_RATIOS),
    },
  };
}

describe('JSONL export', () => {
  const temp = tempDir('jsonl');
  let duck: Duck;
  beforeAll(async () => (duck = await openDuck()));
  afterAll(() => {
    duck.close();
    temp.remove();
  });

  const read = async (path: string) => {
    const rows = await duck.rows(
      `SELECT input, output, metadata FROM read_json(${sqlPath(path)}, format = 'newline_delimited', ` +
        `columns = {'input': 'JSON', 'output': 'JSON', 'metadata': 'JSON'})`,
    );
    return rows.map((r) => ({
      input: JSON.parse(r['input'] as string) as unknown,
      output: JSON.parse(r['output'] as string) as unknown,
      metadata: JSON.parse(r['metadata'] as string) as unknown,
    }));
  };

  it('is read back by DuckDB as one {input, output, metadata} object per example', async () => {
    const source = examples(300);
    const file = await writeExport('jsonl', streamOf(source), temp.dir, OPTIONS);
    expect(file).toEqual({
      path: `${temp.dir}/orders-main-3f9a1c2b7d4e.jsonl`,
      fileName: 'orders-main-3f9a1c2b7d4e.jsonl',
      contentType: 'application/x-ndjson',
      rows: 300,
      bytes: statSync(file.path).size,
    });
    const columns = await duck.rows(
      `DESCRIBE SELECT * FROM read_json(${sqlPath(file.path)}, format = 'newline_delimited')`,
    );
    expect(columns.map((c) => c['column_name'])).toEqual(['input', 'output', 'metadata']);
    expect(await read(file.path)).toEqual(source.map(expectedLine));
  });

  it('has one line per example, the nested values as JSON', async () => {
    const file = await writeExport('jsonl', streamOf(examples(3)), temp.dir, {
      ...OPTIONS,
      ref: 'lines',
    });
    const lines = readFileSync(file.path, 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(lines[1]).toBe(
      '{"input":{"text":"héllo wörld 👋 日本語","ü":"ñ","tab":"\\t\\\\"},' +
        '"output":{"action":"escalate","steps":[1,"two",{"three":3},[],{}]},' +
        `"metadata":{"id":"${example(1).id}","type":"resolution","labels":null,"quality_score":null,` +
        `"hash":"${example(1).metadata['hash'] as string}","tier":"silver","validation_status":"valid",` +
        `"source_decision_id":"decision-1","split":"${splitOf(example(1).id, DEFAULT_RATIOS)}"}}`,
    );
  });

  it("keeps the example's own id, type, labels and score over metadata keys of that name", async () => {
    const spoofed = {
      ...example(7),
      metadata: { id: 'not-this', type: 'nor-this', quality_score: -1, split: 'nor', tier: 'gold' },
    };
    const file = await writeExport('jsonl', streamOf([spoofed]), temp.dir, {
      ...OPTIONS,
      ref: 'spoofed',
    });
    const [line] = await read(file.path);
    expect(line.metadata).toEqual({
      id: spoofed.id,
      type: spoofed.type,
      labels: spoofed.labels,
      quality_score: spoofed.quality_score,
      tier: 'gold',
      split: splitOf(spoofed.id, DEFAULT_RATIOS),
    });
  });

  it('writes only the split asked for', async () => {
    const source = examples(400);
    const file = await writeExport('jsonl', streamOf(source), temp.dir, {
      ...OPTIONS,
      split: 'validation',
    });
    expect(file.fileName).toBe('orders-main-3f9a1c2b7d4e-validation.jsonl');
    const expected = source.map(expectedLine).filter((l) => l.metadata.split === 'validation');
    expect(expected.length).toBeGreaterThan(10);
    expect(file.rows).toBe(expected.length);
    expect(await read(file.path)).toEqual(expected);
  });
});
