export { cosineSimilarity, EMBEDDING_DIMENSIONS, type Embedder } from './embedder';
export {
  DEFAULT_LOCAL_EMBEDDER_WEIGHTS,
  embeddingTokens,
  LocalEmbedder,
  type LocalEmbedderWeights,
} from './local-embedder';
export { OpenAiEmbedder, type OpenAiEmbedderSettings, supportsDimensions } from './openai-embedder';
export {
  createEmbedder,
  EMBEDDINGS_PROVIDER_NAMES,
  type EmbeddingsConfig,
  EmbeddingsConfigSchema,
} from './create-embedder';
