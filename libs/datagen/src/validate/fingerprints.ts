/**
 * A set of 53-bit fingerprints of key values in a typed array (open addressing), so checking
 * 10 million keys costs about 12 bytes each instead of a JavaScript Set's ~50. Integer keys
 * are their own fingerprint (exact); string keys are hashed, so two different strings collide
 * with probability about n²/2⁵⁴ (1 in 36,000 for a million keys).
 */
export class FingerprintSet {
  private slots = new Float64Array(1 << 10).fill(NaN);
  private size = 0;
  /** Integer keys that arrive in increasing order (sequences) are appended here instead: unique
   * by their order, found by binary search, and no random memory access per key. */
  private readonly run = new IncreasingRun();

  /** Adds the key; false when it was already there. */
  add(key: unknown): boolean {
    if (typeof key === 'number' && Number.isSafeInteger(key)) {
      // Integers in the table were at most the run's last when added, so a larger one is new.
      if (key > this.run.last) {
        this.run.push(key);
        return true;
      }
      if (this.run.has(key)) return false;
    }
    if (this.size * 4 >= this.slots.length * 3) this.grow();
    const added = insert(this.slots, fingerprint(key));
    if (added) this.size++;
    return added;
  }

  has(key: unknown): boolean {
    if (typeof key === 'number' && Number.isSafeInteger(key) && this.run.has(key)) return true;
    return this.inTable(key);
  }

  private inTable(key: unknown): boolean {
    if (this.size === 0) return false;
    const f = fingerprint(key);
    const mask = this.slots.length - 1;
    for (let i = spread(f) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i];
      if (slot !== slot) return false;
      if (slot === f) return true;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2).fill(NaN);
    for (const f of old) if (f === f) insert(this.slots, f);
  }

  get count(): number {
    return this.size + this.run.length;
  }
}

const CHUNK = 1 << 16;

/** Increasing numbers in fixed-size chunks: growing never copies, so memory stays flat. */
class IncreasingRun {
  private readonly chunks: Float64Array[] = [];
  length = 0;
  last = -Infinity;

  push(value: number): void {
    if (this.length % CHUNK === 0) this.chunks.push(new Float64Array(CHUNK));
    this.chunks[this.chunks.length - 1][this.length % CHUNK] = value;
    this.length++;
    this.last = value;
  }

  has(value: number): boolean {
    if (value > this.last || this.length === 0) return false;
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.chunks[Math.floor(mid / CHUNK)][mid % CHUNK];
      if (at === value) return true;
      if (at < value) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

function insert(slots: Float64Array, f: number): boolean {
  const mask = slots.length - 1;
  for (let i = spread(f) & mask; ; i = (i + 1) & mask) {
    const slot = slots[i];
    if (slot === f) return false;
    if (slot !== slot) {
      slots[i] = f;
      return true;
    }
  }
}

const spread = (f: number): number =>
  Math.imul((f % 4294967296) ^ Math.floor(f / 4294967296), 0x9e3779b1) >>> 0;

export function fingerprint(key: unknown): number {
  if (typeof key === 'number' && Number.isSafeInteger(key)) return key;
  const s = typeof key === 'string' ? key : JSON.stringify(key);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  // 32 + 21 bits: below 2^53, so the double holds it exactly.
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) >>> 11);
}
