import { createHash } from 'node:crypto';

// Module-level aliases: global lookups are slow inside vm sandboxes such as jest's.
const { imul } = Math;

/** FNV-1a, 32 bit: stable across processes and platforms, unlike any built-in hash. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Eight hex digits that change when any of the parts change (SHA-256, native and fast). */
export function fingerprint(parts: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex').slice(0, 8);
}
