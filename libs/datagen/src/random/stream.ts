import { fmix32, hashKey } from './hash';

// Bound once: inside jest's vm context every lookup of a global such as Math costs ~200 ns.
const { floor } = Math;
const { isSafeInteger } = Number;

/** Uniform doubles in [0, 1) with 53 random bits or at least 32; deterministic from the seed. */
export interface Random {
  next(): number;
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG, as in PractRand): adds, xors and shifts
 * on four 32-bit words, passes PractRand and BigCrush, and its counter word rules out short
 * cycles (period at least 2^32, expected about 2^127). A double takes two outputs: the top 27
 * bits of the first and the top 26 of the second make 53 bits. The words are kept as int32:
 * seeded with uint32 values above 2^31, V8 boxes the fields and a draw costs four times as much.
 */
class Sfc32 implements Random {
  constructor(
    private a: number,
    private b: number,
    private c: number,
    private d: number,
  ) {
    // PractRand's own seeding discards 12 outputs; 6 doubles are 12 outputs.
    for (let i = 0; i < 6; i++) this.next();
  }

  next(): number {
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    let t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (((c << 21) | (c >>> 11)) + t) | 0;
    const high = t >>> 5;
    t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return (high * 0x4000000 + (t >>> 6)) / 0x20000000000000;
  }
}

const streamKey = new Int32Array(4);

/**
 * The stream named by a path under a seed, e.g. streamOf(7, 'orders', 'total'). Its sfc32 state
 * (a, b, c, counter) is the four words h1..h4 of MurmurHash3_x86_128, murmur seed 0, of the key
 * bytes of (seed, path) (see `hashKey`), then 12 outputs are discarded. Same seed and path give
 * the same sequence on any machine; a different path gives an unrelated 128-bit state.
 */
export function streamOf(seed: number, ...path: string[]): Random {
  hashKey(seed, path, 0, streamKey);
  return new Sfc32(streamKey[0], streamKey[1], streamKey[2], streamKey[3]);
}

// Keys of the paths asked for under the last seed, since rows ask for the same few over and
// over, often in turn (a row's id, then its parent's); at most 1024, then the cache restarts.
const keys = new Map<string, Int32Array>();
let keysSeed = NaN;

function keyOf(seed: number, path: string): Int32Array {
  if (seed !== keysSeed) {
    keys.clear();
    keysSeed = seed;
  }
  let key = keys.get(path);
  if (key === undefined) {
    key = new Int32Array(4);
    hashKey(seed, path, 1, key);
    if (keys.size >= 1024) keys.clear();
    keys.set(path, key);
  }
  return key;
}

/**
 * 32 random bits at (seed, path, index, draw) without stream state. Key words k0..k3 are
 * MurmurHash3_x86_128, murmur seed 1, of the key bytes of (seed, [path]); then, with the index
 * as 64 bits (lo, hi): x = fmix32(lo ^ k0), x = fmix32((x ^ hi) + k1), x = fmix32((x ^ draw)
 * + k2), result fmix32(x ^ k3). Each step is a bijection, so consecutive indexes never collide
 * and every input bit reaches every output bit.
 */
export function bitsAt(seed: number, path: string, index: number, draw = 0): number {
  const key = keyOf(seed, path);
  if (!(index >= 0 && isSafeInteger(index))) {
    throw new RangeError(`index must be a safe integer >= 0, got ${index}`);
  }
  if (draw >>> 0 !== draw)
    throw new RangeError(`draw must be an integer in [0, 2^32), got ${draw}`);
  let x = fmix32((index >>> 0) ^ key[0]);
  x = fmix32(((x ^ floor(index / 0x100000000)) + key[1]) | 0);
  x = fmix32(((x ^ draw) + key[2]) | 0);
  return fmix32(x ^ key[3]);
}

/** A uniform double in [0, 1) for (seed, path, index, draw): `bitsAt` / 2^32. */
export function uniformAt(seed: number, path: string, index: number, draw = 0): number {
  return bitsAt(seed, path, index, draw) / 0x100000000;
}
