import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { FILE_EXTENSIONS, openSink, type ColumnSpec, type OutputFormat } from './index';
import { tempDir } from './sample.spec-fixture';
import { isoTimestamp } from './values';

const FORMATS: OutputFormat[] = ['jsonl', 'csv', 'parquet'];

const COLUMNS: ColumnSpec[] = [
  { name: 'label', type: 'string' },
  { name: 'quantity', type: 'integer' },
  { name: 'price', type: 'number' },
  { name: 'paid', type: 'boolean' },
  { name: 'placed_at', type: 'timestamp' },
  { name: 'extra', type: 'json' },
];
const GOOD: unknown[] = ['a', 1, 1.5, true, 0, { k: 1 }];

/** A value of the wrong kind for each column, and what the error then says. */
const BAD: [column: string, value: unknown, message: RegExp][] = [
  ['label', 7, /column "label": expected a string, got number 7/],
  ['quantity', 1.5, /column "quantity": expected a safe integer, got number 1.5/],
  ['quantity', 2 ** 53, /column "quantity": expected a safe integer/],
  ['quantity', '3', /column "quantity": expected a safe integer, got string "3"/],
  ['price', Number.NaN, /column "price": expected a finite number, got non-finite number NaN/],
  ['price', Infinity, /column "price": .*non-finite number Infinity/],
  ['price', -Infinity, /column "price": .*non-finite number -Infinity/],
  ['paid', 'yes', /column "paid": expected a boolean/],
  ['placed_at', new Date(0), /column "placed_at": expected epoch milliseconds/],
  ['placed_at', 1.5, /column "placed_at": expected epoch milliseconds/],
  ['placed_at', 9e15, /column "placed_at": expected epoch milliseconds/],
  ['extra', { big: 1n }, /column "extra": value is not JSON/],
  ['extra', () => 1, /column "extra": expected a JSON value/],
];

describe.each(FORMATS)('%s sink', (format) => {
  const temp = tempDir();
  afterAll(() => temp.remove());
  const open = (name: string, columns = COLUMNS) =>
    openSink(format, join(temp.dir, name + FILE_EXTENSIONS[format]), columns);

  it.each(BAD)('names the column for a wrong %s value (%p)', (column, value, message) => {
    const sink = open('bad');
    const row = [...GOOD];
    row[COLUMNS.findIndex((c) => c.name === column)] = value;
    expect(() => sink.write(row)).toThrow(message);
    // The bad row left nothing behind: the sink goes on with the next one.
    sink.write(GOOD);
    expect(sink.close().rows).toBe(1);
  });

  it('rejects a row of the wrong width, duplicate column names and use after close', () => {
    const sink = open('width');
    expect(() => sink.write(['a'])).toThrow(
      'row must have 6 values (one per column), got 1 values',
    );
    sink.close();
    expect(() => sink.write(GOOD)).toThrow('the sink is closed');
    expect(() => open('dup', [COLUMNS[0], COLUMNS[0]])).toThrow('column names must be unique');
  });
});

describe('text sinks', () => {
  const temp = tempDir();
  afterAll(() => temp.remove());

  it.each(['jsonl', 'csv'] as const)('%s flushes in chunks and counts every byte', (format) => {
    const path = join(temp.dir, 'big' + FILE_EXTENSIONS[format]);
    const sink = openSink(format, path, [{ name: 'text', type: 'string' }]);
    const long = 'ü'.repeat(1_000_000); // larger than the buffer by itself
    for (let i = 0; i < 30_000; i++)
      sink.write([i === 15_000 ? long : `row ${i} ${'x'.repeat(i % 100)}`]);
    const { rows, bytes } = sink.close();
    const text = readFileSync(path, 'utf8');
    expect(rows).toBe(30_000);
    expect(bytes).toBe(Buffer.byteLength(text));
    expect(text).toContain(long);
    expect(text.split('\n')).toHaveLength(30_000 + (format === 'csv' ? 2 : 1));
  });
});

describe('isoTimestamp', () => {
  it('agrees with Date#toISOString over the whole Date range', () => {
    const edges = [
      0, -1, 1, 951_782_400_000, -62_167_219_200_000, -62_167_219_200_001, 253_402_300_800_000,
    ];
    for (const ms of [...edges, 8.64e15, -8.64e15])
      expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });
});
