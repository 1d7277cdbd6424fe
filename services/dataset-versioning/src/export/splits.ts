import { createHash } from 'node:crypto';
import type { ExportExample } from './export-example';

export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];
export type SplitRatios = Record<SplitName, number>;

export const DEFAULT_RATIOS: Readonly<SplitRatios> = Object.freeze({
  train: 0.8,
  validation: 0.1,
  test: 0.1,
});

/** Deficits closer than this are a tie: float rounding must not decide a split. */
const TIE = 1e-9;

/** The ratios, checked: one finite non-negative share per split, summing to 1 within 1e-9. */
export function checkRatios(ratios: Partial<SplitRatios> = DEFAULT_RATIOS): SplitRatios {
  const unknown = Object.keys(ratios).filter(
    (key) => !(SPLIT_NAMES as readonly string[]).includes(key),
  );
  if (unknown.length > 0) {
    throw new RangeError(
      `unknown split ${unknown.map((k) => `"${k}"`).join(', ')} in ratios (splits are ${SPLIT_NAMES.join(', ')})`,
    );
  }
  for (const name of SPLIT_NAMES) {
    const value = ratios[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`split ratio "${name}" must be a finite number, got ${String(value)}`);
    }
    if (value < 0) throw new RangeError(`split ratio "${name}" must not be negative, got ${value}`);
  }
  const checked = ratios as SplitRatios;
  const sum = checked.train + checked.validation + checked.test;
  if (Math.abs(sum - 1) > 1e-9) {
    const parts = SPLIT_NAMES.map((name) => `${name} ${checked[name]}`).join(' + ');
    throw new RangeError(`split ratios must sum to 1, got ${sum} (${parts})`);
  }
  return { train: checked.train, validation: checked.validation, test: checked.test };
}

/** SHA-256 of the id, its first 8 bytes read as a fraction in [0,1): the top 53 bits, all that a
 * double holds exactly (all 64 could round up to 1). */
export function hashFraction(id: string): number {
  const digest = createHash('sha256').update(id, 'utf8').digest();
  return (digest.readUInt32BE(0) * 2 ** 21 + (digest.readUInt32BE(4) >>> 11)) / 2 ** 53;
}

/** The split among `names` whose slice of [0,1), by cumulative share, holds `fraction`. */
function pick(fraction: number, names: readonly SplitName[], ratios: SplitRatios): SplitName {
  const total = names.reduce((sum, name) => sum + ratios[name], 0);
  let upper = 0;
  let last: SplitName = names[0];
  for (const name of names) {
    if (ratios[name] === 0) continue;
    upper += ratios[name] / total;
    if (fraction < upper) return name;
    last = name;
  }
  return last; // rounding left the shares a hair under 1
}

/** Unstratified split: a function of the id alone, so adding examples never moves one. */
export function splitOf(id: string, ratios: SplitRatios): SplitName {
  return pick(hashFraction(id), SPLIT_NAMES, ratios);
}

/** The label examples are stratified by; null when there is none. */
export function labelOf(example: ExportExample): unknown {
  return example.labels?.['label'] ?? example.output['label'] ?? example.output['action'] ?? null;
}

/**
 * Stratified split. For each label, the next example goes to the split furthest below its target
 * share, counting this example (deficit = ratio * count - assigned); ties go by the id's hash.
 * Every split then stays within one example of its target at every point of the stream.
 *
 * Contract: the caller passes every example of the dataset version, in a stable order (the order
 * the examples were first added, then id). An example's split then depends only on the examples
 * before it, so appending examples never moves an existing one. Removing an example or changing
 * its label may move later examples of the same label(s).
 */
export class SplitAssigner {
  /** Per label (as JSON text): examples assigned so far to each split, in SPLIT_NAMES order. */
  private readonly assigned = new Map<string, number[]>();

  constructor(private readonly ratios: SplitRatios) {}

  assign(example: ExportExample): SplitName {
    const key = JSON.stringify(labelOf(example)) ?? 'null';
    let assigned = this.assigned.get(key);
    if (!assigned) this.assigned.set(key, (assigned = [0, 0, 0]));
    const count = assigned[0] + assigned[1] + assigned[2] + 1;
    const deficits = SPLIT_NAMES.map((name, i) => this.ratios[name] * count - assigned[i]);
    const most = Math.max(...deficits);
    const tied = SPLIT_NAMES.filter((_, i) => deficits[i] >= most - TIE);
    const split = tied.length === 1 ? tied[0] : pick(hashFraction(example.id), tied, this.ratios);
    assigned[SPLIT_NAMES.indexOf(split)]++;
    return split;
  }
}

export type Splitter = (example: ExportExample) => SplitName;

/** One splitter per export: a stratified one keeps counts, so it must see the whole stream. */
export function splitterFor(ratios: SplitRatios, stratify: boolean): Splitter {
  if (!stratify) return (example) => splitOf(example.id, ratios);
  const assigner = new SplitAssigner(ratios);
  return (example) => assigner.assign(example);
}
