import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { ExportExample } from '../../src/export/export-example';

/** A uuid-shaped id, the same for the same `n` on every run. */
export function exampleId(n: number): string {
  const hex = createHash('sha256').update(`example ${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Values that trip writers up: quoting, line breaks, unicode, nulls, empty containers. */
const TRICKY: Pick<ExportExample, 'input' | 'output' | 'labels' | 'quality_score'>[] = [
  {
    input: { text: 'say "hi", then, go', note: 'line\nbreak\r\nand\rreturn' },
    output: { label: 'refund', confidence: 0.97 },
    labels: { label: 'refund', by: 'reviewer "a"' },
    quality_score: 87.35,
  },
  {
    input: { text: 'héllo wörld 👋 日本語', ü: 'ñ', tab: '\t\\' },
    output: { action: 'escalate', steps: [1, 'two', { three: 3 }, [], {}] },
    labels: null,
    quality_score: null,
  },
  {
    input: {},
    output: { label: null, nothing: null },
    labels: { label: 'other', extra: [null, true, false] },
    quality_score: 0,
  },
  {
    input: {
      big: 9_007_199_254_740_991,
      tiny: 1e-7,
      negative: -0.5,
      deep: { a: { b: { c: [[]] } } },
    },
    output: { summary: ',,,', quotes: '""' },
    labels: {},
    quality_score: 100,
  },
  {
    input: { text: '' },
    output: { label: 'exchange' },
    labels: null,
    quality_score: 33.333333333333336,
  },
];

const TYPES: ExportExample['type'][] = ['classification', 'resolution', 'order_analysis'];
const LABELS = ['refund', 'exchange', 'other', 'refund', 'refund'];

/** Example `n`: a tricky one for the first few, then generated ones, a few without a label. */
export function example(n: number): ExportExample {
  const type = TYPES[n % 3];
  const base = TRICKY[n] ?? {
    input: { text: `order ${n} arrived late, "box" damaged`, amount: n * 1.25 },
    output: type === 'resolution' ? { action: LABELS[n % 5] } : { label: LABELS[n % 5] },
    labels: n % 4 === 0 ? null : { label: LABELS[(n * 7) % 5] },
    quality_score: n % 6 === 0 ? null : (n * 37) % 101,
  };
  const meta: Record<string, unknown> = {
    hash: createHash('sha256').update(String(n)).digest('hex').slice(0, 16),
    tier: n % 2 === 0 ? 'gold' : 'silver',
    validation_status: 'valid',
    source_decision_id: n % 5 === 0 ? null : `decision-${n}`,
  };
  return { id: exampleId(n), type, ...base, metadata: meta };
}

export function examples(count: number, from = 0): ExportExample[] {
  return Array.from({ length: count }, (_, i) => example(from + i));
}

/** The examples as the service hands them over: an async stream. */
export async function* streamOf(items: Iterable<ExportExample>): AsyncGenerator<ExportExample> {
  for (const item of items) yield item;
}

export function tempDir(name: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(tmpdir() + `/export-${name}-`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const OPTIONS = {
  dataset: 'orders',
  ref: 'main',
  commit: '3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345',
};
