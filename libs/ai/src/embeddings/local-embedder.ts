import { fingerprint } from '../local/hashing';
import { EMBEDDING_DIMENSIONS, type Embedder } from './embedder';

// Bound once: inside jest's vm context every lookup of a global such as Math costs ~200 ns.
const { floor, imul, log, max, sqrt } = Math;

/** How much each kind of feature weighs; see `LocalEmbedder`. */
export interface LocalEmbedderWeights {
  /** A content word. */
  word: number;
  /** A function word ("the", "was", "so") or a single character: present, barely counted. */
  stopword: number;
  /** Two content words in a row, function words skipped. */
  bigram: number;
  /** All character 3- to 5-grams of one content word together (each gets this / sqrt(count)). */
  chars: number;
}

export const DEFAULT_LOCAL_EMBEDDER_WEIGHTS: Readonly<LocalEmbedderWeights> = Object.freeze({
  word: 1,
  stopword: 0.1,
  bigram: 0.3,
  chars: 1,
});

const VERSION = 'local-hash-768-v1';
const MIN_GRAM = 3;
const MAX_GRAM = 5;

/**
 * Words that say little about what a note is about; so do single characters, digits included
 * (`A-10293` is `a 0`). Negations stay content words: "no damage" must not look like "damage".
 */
const STOPWORDS = new Set(
  (
    'a an the and or but if so as at by for from in into of off on onto out over to up with ' +
    'is are was were be been being am it its this that these those there here ' +
    'i me my we us our you your he him his she her they them their ' +
    'has have had do does did will would can could should shall may might must ' +
    'then than too very just also again please'
  ).split(' '),
);

const isFunctionWord = (token: string): boolean => token.length === 1 || STOPWORDS.has(token);

// FNV-1a offset bases continued over the kind prefix, so each kind has its own hash space:
// fnv1a(prefix + feature) === continue(basis(prefix), feature).
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const fnvContinue = (hash: number, text: string, from = 0, to = text.length): number => {
  for (let i = from; i < to; i++) hash = imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
};
const WORD_BASIS = fnvContinue(FNV_OFFSET, 'w:');
const BIGRAM_BASIS = fnvContinue(FNV_OFFSET, 'b:');
const CHARS_BASIS = fnvContinue(FNV_OFFSET, 'c:');
const EMPTY_FEATURE = fnvContinue(FNV_OFFSET, 'e:');

/** MurmurHash3's 32-bit finalizer: every input bit reaches every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The words of a text as the embedder sees them: NFKD, combining marks dropped, lowercase, split
 * at anything but a letter or digit (punctuation, `_`, `-`), every run of digits as `0`.
 */
export function embeddingTokens(text: string): string[] {
  const flat = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\p{N}+/gu, '0');
  return flat.split(/[^\p{L}\p{N}]+/u).filter((token) => token.length > 0);
}

/**
 * A deterministic, network-free embedder: hashed bag of n-grams, 768 dimensions.
 *
 * Features of the normalised words (see `embeddingTokens`):
 * - every content word (`w:` + word), weight `word`; function words (`STOPWORDS`) and single
 *   characters weight `stopword` and give no other feature;
 * - every two content words in a row, function words skipped (`b:` + `w1 w2`), weight `bigram`;
 * - the character 3- to 5-grams of every content word between boundary marks (`c:` + gram of
 *   `<word>`), each weighted `chars / sqrt(number of grams of the word)`, so a word's grams
 *   together weigh the same whatever its length and a misspelt or inflected word ("delivery",
 *   "delivered") still shares most of them.
 *
 * A feature seen n times weighs `1 + ln n` times its weight (sublinear tf). Each feature string,
 * prefix included, is hashed with 32-bit FNV-1a over its UTF-16 code units followed by the
 * MurmurHash3 finalizer (fmix32); the top bits pick the column (`floor(h * 768 / 2^32)`) and the
 * lowest bit the sign (1: minus), so colliding features cancel out on average instead of piling
 * up. The vector is then scaled to unit length. A text without any word gets the unit vector of
 * the feature `e:`. The same text gives the same vector on any machine.
 *
 * It knows no synonyms: it finds notes that share most of their words (reordered, with filler,
 * typos, another carrier or product), not ones reworded throughout. On the paraphrase pairs of
 * libs/datagen (`paraphrasePairs(20250101, 2000)`) "cosine >= 0.85" has precision 0.94 and
 * recall 0.53; 0.93 and 0.80 when paraphrases are one edit away (see its paraphrase.spec.ts).
 * The weights were tuned there; they matter little (recall at precision 0.9 moves by +-0.03).
 */
export class LocalEmbedder implements Embedder {
  readonly dimensions = EMBEDDING_DIMENSIONS;
  readonly model: string;
  private readonly weights: LocalEmbedderWeights;

  constructor(weights: Partial<LocalEmbedderWeights> = {}) {
    this.weights = { ...DEFAULT_LOCAL_EMBEDDER_WEIGHTS, ...weights };
    const defaults: Record<string, number> = DEFAULT_LOCAL_EMBEDDER_WEIGHTS;
    const custom = Object.entries(this.weights).some(([name, value]) => defaults[name] !== value);
    // Other weights make other vectors: they must not pass for the default model's.
    this.model = custom
      ? `${VERSION}+${fingerprint(Object.entries(this.weights).map(([k, v]) => `${k}=${v}`))}`
      : VERSION;
  }

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((text) => {
      const vector = this.vector(text);
      // A plain loop: Array.from on a typed array is several times slower.
      const out = new Array<number>(vector.length);
      for (let i = 0; i < vector.length; i++) out[i] = vector[i];
      return out;
    });
  }

  /** The vector of one text, synchronously. */
  vector(text: string): Float64Array {
    const vector = new Float64Array(this.dimensions);
    const { word, stopword, bigram, chars } = this.weights;
    const counts = new Map<string, number>();
    const content: string[] = [];
    for (const token of embeddingTokens(text)) {
      counts.set(token, (counts.get(token) ?? 0) + 1);
      if (!isFunctionWord(token)) content.push(token);
    }
    for (const [token, count] of counts) {
      const tf = 1 + log(count);
      if (isFunctionWord(token)) {
        this.add(vector, fnvContinue(WORD_BASIS, token), stopword * tf);
        continue;
      }
      this.add(vector, fnvContinue(WORD_BASIS, token), word * tf);
      this.addCharGrams(vector, token, chars * tf);
    }
    const bigrams = new Map<string, number>();
    for (let i = 1; i < content.length; i++) {
      const pair = `${content[i - 1]} ${content[i]}`;
      bigrams.set(pair, (bigrams.get(pair) ?? 0) + 1);
    }
    for (const [pair, count] of bigrams) {
      this.add(vector, fnvContinue(BIGRAM_BASIS, pair), bigram * (1 + log(count)));
    }

    let norm = 0;
    for (let i = 0; i < vector.length; i++) norm += vector[i] * vector[i];
    if (norm === 0) {
      this.add(vector, EMPTY_FEATURE, 1);
      norm = 1;
    }
    const scale = 1 / sqrt(norm);
    for (let i = 0; i < vector.length; i++) vector[i] *= scale;
    return vector;
  }

  private addCharGrams(vector: Float64Array, token: string, weight: number): void {
    const padded = `<${token}>`;
    const n = padded.length;
    let grams = 0;
    for (let size = MIN_GRAM; size <= MAX_GRAM; size++) grams += max(0, n - size + 1);
    if (grams === 0) return;
    const each = weight / sqrt(grams);
    for (let size = MIN_GRAM; size <= MAX_GRAM; size++) {
      for (let start = 0; start + size <= n; start++) {
        this.add(vector, fnvContinue(CHARS_BASIS, padded, start, start + size), each);
      }
    }
  }

  private add(vector: Float64Array, hash: number, weight: number): void {
    const h = fmix32(hash);
    const column = floor((h * this.dimensions) / 0x100000000);
    vector[column] += h & 1 ? -weight : weight;
  }
}
