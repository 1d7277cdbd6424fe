/**
 * MurmurHash3_x86_128 (Austin Appleby, public domain), exactly as in SMHasher, so the key
 * derivation of every stream can be reproduced from its published reference. Generated data
 * depends on it: changing anything here changes every user's output.
 */

// Bound once: inside jest's vm context every lookup of a global such as Math costs ~200 ns.
const { floor, imul, min } = Math;
const { isSafeInteger } = Number;

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

/** Murmur3's finalizer: a bijection of 32-bit words with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The words h1..h4 of MurmurHash3_x86_128 of bytes[0, length), written to `out` as int32. */
export function murmur128(bytes: Uint8Array, length: number, seed: number, out: Int32Array): void {
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blocks = length & ~15;
  for (let i = 0; i < blocks; i += 16) {
    h1 ^= imul(rotl(imul(wordAt(bytes, i), C1), 15), C2);
    h1 = (imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    h2 ^= imul(rotl(imul(wordAt(bytes, i + 4), C2), 16), C3);
    h2 = (imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    h3 ^= imul(rotl(imul(wordAt(bytes, i + 8), C3), 17), C4);
    h3 = (imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    h4 ^= imul(rotl(imul(wordAt(bytes, i + 12), C4), 18), C1);
    h4 = (imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  // The tail: up to 15 bytes, little-endian into k1..k4, zero-padded.
  if (length > blocks + 12) {
    h4 ^= imul(rotl(imul(tailWord(bytes, blocks + 12, length), C4), 18), C1);
  }
  if (length > blocks + 8) {
    h3 ^= imul(rotl(imul(tailWord(bytes, blocks + 8, length), C3), 17), C4);
  }
  if (length > blocks + 4) {
    h2 ^= imul(rotl(imul(tailWord(bytes, blocks + 4, length), C2), 16), C3);
  }
  if (length > blocks) h1 ^= imul(rotl(imul(tailWord(bytes, blocks, length), C1), 15), C2);

  h1 ^= length;
  h2 ^= length;
  h3 ^= length;
  h4 ^= length;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
  out[2] = h3 + h1;
  out[3] = h4 + h1;
}

const wordAt = (bytes: Uint8Array, i: number): number =>
  bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);

/** Up to four bytes from `from`, little-endian, stopping at `length`. */
const tailWord = (bytes: Uint8Array, from: number, length: number): number => {
  let w = 0;
  for (let i = from; i < min(from + 4, length); i++) w |= bytes[i] << (8 * (i - from));
  return w;
};

let scratch = new Uint8Array(256);

/**
 * MurmurHash3_x86_128 with `murmurSeed` of the key bytes of (seed, path): the seed as a 64-bit
 * two's complement integer, little-endian; then per segment its length in UTF-16 code units as
 * 32 bits little-endian, then its code units as UTF-16LE. The length prefix makes the join
 * unambiguous: ('ab', 'c') and ('a', 'bc') are different keys.
 */
export function hashKey(
  seed: number,
  path: readonly string[] | string,
  murmurSeed: number,
  out: Int32Array,
): void {
  if (!isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const segments = typeof path === 'string' ? 1 : path.length;
  let size = 8;
  for (let s = 0; s < segments; s++) size += 4 + 2 * segmentAt(path, s).length;
  if (size > scratch.length) scratch = new Uint8Array(2 * size);
  const bytes = scratch;
  let at = putWord(bytes, 0, seed >>> 0);
  at = putWord(bytes, at, floor(seed / 0x100000000) >>> 0);
  for (let s = 0; s < segments; s++) {
    const segment = segmentAt(path, s);
    at = putWord(bytes, at, segment.length);
    for (let i = 0; i < segment.length; i++) {
      const unit = segment.charCodeAt(i);
      bytes[at++] = unit & 0xff;
      bytes[at++] = unit >>> 8;
    }
  }
  murmur128(bytes, size, murmurSeed, out);
}

const segmentAt = (path: readonly string[] | string, s: number): string =>
  typeof path === 'string' ? path : path[s];

function putWord(bytes: Uint8Array, at: number, word: number): number {
  bytes[at] = word & 0xff;
  bytes[at + 1] = (word >>> 8) & 0xff;
  bytes[at + 2] = (word >>> 16) & 0xff;
  bytes[at + 3] = word >>> 24;
  return at + 4;
}
