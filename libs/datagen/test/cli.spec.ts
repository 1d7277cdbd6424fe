import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { findWorkspaceRoot } from '@refinery/persistence';

const ROOT = findWorkspaceRoot(__dirname);
const CLI = join(ROOT, 'dist/libs/datagen/src/cli/datagen.cli.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The command line as `npm run datagen` runs it, from the build `npm test` makes first. */
function datagen(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, REFINERY_API_KEY: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'datagen-cli-'));
  dirs.push(dir);
  return dir;
};

const hashes = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      ]),
  );

describe('npm run datagen', () => {
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  });

  it('writes the files, truth.json and the report; the same command twice gives the same bytes', async () => {
    const [a, b] = [tempDir(), tempDir()];
    const first = datagen(
      '--schema',
      'ecomm',
      '--seed',
      '7',
      '--rows',
      '20000',
      '--out',
      a,
      '--format',
      'jsonl,csv,parquet',
    );
    expect(first.stderr).toMatch(/validator passed: score 100\.00/);
    expect(first.status).toBe(0);
    const summary = JSON.parse(first.stdout.trim().split('\n').pop() as string);
    expect(summary).toMatchObject({ schema: 'ecomm', seed: 7, quality_score: 100 });
    expect(summary.rows).toBeGreaterThanOrEqual(20_000);
    expect(
      datagen(
        '--schema',
        'ecomm',
        '--seed',
        '7',
        '--rows',
        '20000',
        '--out',
        b,
        '--format',
        'jsonl,csv,parquet',
      ).status,
    ).toBe(0);
    expect(hashes(b)).toEqual(hashes(a));
    expect(Object.keys(hashes(a))).toEqual(
      expect.arrayContaining(['truth.json', 'quality-report.json', 'orders.parquet']),
    );

    // An independent reader sees the same rows in Parquet as in JSONL.
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const read = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjectsJson();
    const [parquet] = await read(
      `SELECT count(*)::INT AS n, sum(gross_amount)::DOUBLE AS total, epoch_ms(min(placed_at))::DOUBLE AS first FROM read_parquet('${a}/orders.parquet')`,
    );
    const jsonl = readFileSync(join(a, 'orders.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(parquet.n).toBe(summary.nodes.orders);
    expect(jsonl).toHaveLength(summary.nodes.orders);
    expect(parquet.total).toBeCloseTo(
      jsonl.reduce((s, o) => s + o.gross_amount, 0),
      4,
    );
    const firstPlaced = jsonl.map((o) => o.placed_at as string).sort()[0];
    expect(new Date(Number(parquet.first)).toISOString()).toBe(firstPlaced);
  });

  it('names every problem of a bad schema by its path and exits 2', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'bad',
        horizon: { start: '2025-01-01T00:00:00Z', end: '2025-02-01T00:00:00Z' },
        nodes: {
          a: {
            kind: 'entity',
            columns: { x: { gen: 'normal', mean: 0, sd: 0 }, y: { gen: 'ref', node: 'b' } },
          },
        },
      }),
    );
    const run = datagen('--schema', file, '--out', dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('nodes.a.columns.y.node: no node named b');
    expect(run.stdout).toBe('');
  });

  it('explains a bad argument in one line and prints the usage', () => {
    const run = datagen('--schema', 'ecomm', '--rows', 'many', '--out', tempDir());
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('datagen: --rows must be a positive integer, not many');
    expect(datagen('--schema', 'nope', '--out', tempDir()).stderr).toMatch(
      /no file nope and no built-in schema of that name \(built in: bank, ecomm, gov\)/,
    );
    expect(datagen('--help').stdout).toMatch(/^Usage: npm run datagen/);
  });
});
