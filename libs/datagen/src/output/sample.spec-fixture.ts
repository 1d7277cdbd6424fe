import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ColumnSpec, Row } from './types';

export const COLUMNS: ColumnSpec[] = [
  { name: 'text', type: 'string' },
  { name: 'count', type: 'integer' },
  { name: 'amount', type: 'number' },
  { name: 'flag', type: 'boolean' },
  { name: 'at', type: 'timestamp' },
  { name: 'doc', type: 'json' },
];

/** Values that trip writers up: escaping, unicode, extremes, empty vs missing. */
export const ROWS: Row[] = [
  [
    'héllo wörld 👋 日本語',
    9_007_199_254_740_991,
    -0.5,
    true,
    Date.UTC(2026, 0, 5, 10),
    { a: [1, 2, { b: 'x"y' }], c: null },
  ],
  [
    'say "hi", then, go',
    -9_007_199_254_740_991,
    1e21,
    false,
    Date.UTC(1969, 6, 20, 20, 17, 40),
    [1, 'two', { three: 3 }],
  ],
  ['line\nbreak\r\nand\rreturn', 0, Math.PI, null, Date.UTC(9999, 11, 31, 23, 59, 59, 999), {}],
  ['', 42, 1e-7, true, -62_135_596_800_000 /* 0001-01-01 */, []],
  [null, null, null, null, null, null],
  [
    '  spaced\ttab \\ back\\slash  ',
    -1,
    123_456.789,
    false,
    -1,
    { ü: 'ñ, "q"', emoji: '🎉', deep: { list: [[], [null]] } },
  ],
  ['null', 2_147_483_648, -1e-300, true, 0, 'a bare JSON string'],
];

/** ROWS as JSON.parse gives them back from JSONL: timestamps as ISO text, key per column. */
export function expectedObjects(): Record<string, unknown>[] {
  return ROWS.map((row) =>
    Object.fromEntries(
      COLUMNS.map((c, i) => {
        const value = row[i];
        const text =
          c.type === 'timestamp' && value !== null
            ? new Date(value as number).toISOString()
            : value;
        return [c.name, text];
      }),
    ),
  );
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'datagen-output-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
