import { bitsAt } from '../random';

const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0');

/** A version 4 UUID that is a function of (seed, column, row index), so a row's key can be
 * recomputed without generating the row (for lookups into catalogs). */
export function uuidAt(seed: number, path: string, index: number): string {
  const a = bitsAt(seed, path, index, 0);
  const b = bitsAt(seed, path, index, 1);
  const c = bitsAt(seed, path, index, 2);
  const d = bitsAt(seed, path, index, 3);
  const timeHi = ((b & 0x0fff) | 0x4000) >>> 0;
  const clock = (((c >>> 16) & 0x3fff) | 0x8000) >>> 0;
  return `${hex(a, 8)}-${hex(b >>> 16, 4)}-${hex(timeHi, 4)}-${hex(clock, 4)}-${hex(c & 0xffff, 4)}${hex(d, 8)}`;
}
