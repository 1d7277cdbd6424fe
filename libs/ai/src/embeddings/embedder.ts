/** The width of every stored embedding: the learning tables hold `vector(768)`. */
export const EMBEDDING_DIMENSIONS = 768;

/**
 * Turns texts into vectors whose cosine similarity says how alike the texts are. Vectors of
 * different models live in different spaces: store `model` with each vector and compare only
 * vectors of the same model.
 */
export interface Embedder {
  /** Length of every vector `embed` returns. */
  readonly dimensions: number;
  /** Names the model and its version: `local-hash-768-v1`, `openai:text-embedding-3-small`. */
  readonly model: string;
  /** One unit-length vector per text, in the order of `texts`. */
  embed(texts: string[]): Promise<number[][]>;
}

/** Cosine similarity of two vectors of the same length; 0 when either is all zeros. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`vectors differ in length: ${a.length} and ${b.length}`);
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
