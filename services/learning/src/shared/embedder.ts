/** Where the service gets its embeddings (libs/ai: local by default, or OpenAI-compatible). */
export const EMBEDDER = Symbol('EMBEDDER');

export interface TextEmbedder {
  embed(texts: string[]): Promise<number[][]>;
}
