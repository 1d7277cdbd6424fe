import { z } from 'zod';
import { createEmbedder, type EmbeddingsConfig, EmbeddingsConfigSchema } from './create-embedder';
import { LocalEmbedder } from './local-embedder';
import { OpenAiEmbedder } from './openai-embedder';

/** The variables a parse complains about, as a service's start would list them. */
function badVariables(env: Record<string, string>): string[] {
  const result = EmbeddingsConfigSchema.safeParse(env);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.')).sort();
}

const OPENAI = {
  EMBEDDINGS_PROVIDER: 'openai',
  EMBEDDINGS_BASE_URL: 'http://models.internal:8080/v1',
  EMBEDDINGS_MODEL: 'nomic-embed-text',
};

/** What the OpenAI embedder was built with. */
interface Built {
  settings: Record<string, unknown>;
  requestDimensions: boolean;
  batchSize: number;
}
const settingsOf = (embedder: unknown) => embedder as Built;

describe('EmbeddingsConfigSchema', () => {
  it('defaults to the local embedder', () => {
    expect(EmbeddingsConfigSchema.parse({})).toEqual({
      EMBEDDINGS_PROVIDER: 'local',
      EMBEDDINGS_REQUEST_DIMENSIONS: 'auto',
      EMBEDDINGS_TIMEOUT_MS: 10_000,
      EMBEDDINGS_MAX_RETRIES: 3,
      EMBEDDINGS_BATCH_SIZE: 256,
    });
  });

  it('treats empty variables as unset and reads numbers from strings', () => {
    expect(
      EmbeddingsConfigSchema.parse({
        EMBEDDINGS_BASE_URL: '',
        EMBEDDINGS_API_KEY: '',
        EMBEDDINGS_TIMEOUT_MS: '2500',
        EMBEDDINGS_MAX_RETRIES: '0',
      }),
    ).toMatchObject({ EMBEDDINGS_TIMEOUT_MS: 2500, EMBEDDINGS_MAX_RETRIES: 0 });
  });

  it('names every bad variable at once', () => {
    expect(
      badVariables({
        EMBEDDINGS_PROVIDER: 'bert',
        EMBEDDINGS_BASE_URL: 'ftp://models.internal',
        EMBEDDINGS_REQUEST_DIMENSIONS: 'yes',
        EMBEDDINGS_TIMEOUT_MS: 'soon',
        EMBEDDINGS_MAX_RETRIES: '-1',
        EMBEDDINGS_BATCH_SIZE: '5000',
      }),
    ).toEqual([
      'EMBEDDINGS_BASE_URL',
      'EMBEDDINGS_BATCH_SIZE',
      'EMBEDDINGS_MAX_RETRIES',
      'EMBEDDINGS_PROVIDER',
      'EMBEDDINGS_REQUEST_DIMENSIONS',
      'EMBEDDINGS_TIMEOUT_MS',
    ]);
  });

  it('requires the URL and model for openai, naming both, even beside other errors', () => {
    expect(badVariables({ EMBEDDINGS_PROVIDER: 'openai', EMBEDDINGS_TIMEOUT_MS: 'x' })).toEqual([
      'EMBEDDINGS_BASE_URL',
      'EMBEDDINGS_MODEL',
      'EMBEDDINGS_TIMEOUT_MS',
    ]);
    const result = EmbeddingsConfigSchema.safeParse({ EMBEDDINGS_PROVIDER: 'openai' });
    expect(result.error?.issues[0].message).toBe('required when EMBEDDINGS_PROVIDER=openai');
  });

  it('combines with a service schema and keeps the cross-field check', () => {
    const service = z.object({ PORT: z.coerce.number().default(3004) });
    const combined = EmbeddingsConfigSchema.safeExtend(service.shape);

    expect(combined.parse({}).PORT).toBe(3004);
    expect(combined.safeParse({ EMBEDDINGS_PROVIDER: 'openai' }).success).toBe(false);
  });
});

describe('createEmbedder', () => {
  it('builds the local embedder by default', () => {
    expect(createEmbedder({})).toBeInstanceOf(LocalEmbedder);
    expect(createEmbedder({}).model).toBe('local-hash-768-v1');
  });

  it('builds the OpenAI-compatible one from the environment', () => {
    const embedder = createEmbedder({
      ...OPENAI,
      EMBEDDINGS_API_KEY: 'sk-1',
      EMBEDDINGS_TIMEOUT_MS: '2500',
      EMBEDDINGS_MAX_RETRIES: '1',
      EMBEDDINGS_BATCH_SIZE: '64',
    });

    expect(embedder).toBeInstanceOf(OpenAiEmbedder);
    expect(embedder.model).toBe('openai:nomic-embed-text');
    expect(settingsOf(embedder).settings).toMatchObject({
      baseUrl: 'http://models.internal:8080/v1',
      apiKey: 'sk-1',
      timeoutMs: 2500,
      maxRetries: 1,
    });
    expect(settingsOf(embedder).batchSize).toBe(64);
    expect(settingsOf(embedder).requestDimensions).toBe(false);
  });

  it('asks for 768 dimensions where the model takes them, or as told', () => {
    const requests = (env: Record<string, string>) =>
      settingsOf(createEmbedder({ ...OPENAI, ...env })).requestDimensions;

    expect(requests({ EMBEDDINGS_MODEL: 'text-embedding-3-small' })).toBe(true);
    const never = { EMBEDDINGS_REQUEST_DIMENSIONS: 'never' };
    expect(requests({ EMBEDDINGS_MODEL: 'text-embedding-3-small', ...never })).toBe(false);
    expect(requests({ EMBEDDINGS_REQUEST_DIMENSIONS: 'always' })).toBe(true);
  });

  it('takes settings already parsed, e.g. a service config', () => {
    const config: EmbeddingsConfig & { PORT: number } = {
      ...EmbeddingsConfigSchema.parse(OPENAI),
      PORT: 3004,
    };
    expect(createEmbedder(config)).toBeInstanceOf(OpenAiEmbedder);
  });

  it('throws naming every bad variable', () => {
    const env = { EMBEDDINGS_PROVIDER: 'openai', EMBEDDINGS_MAX_RETRIES: 'x' };
    expect(() => createEmbedder(env)).toThrow(
      'invalid embedding settings: ' +
        'EMBEDDINGS_MAX_RETRIES: Invalid input: expected number, received NaN; ' +
        'EMBEDDINGS_BASE_URL: required when EMBEDDINGS_PROVIDER=openai; ' +
        'EMBEDDINGS_MODEL: required when EMBEDDINGS_PROVIDER=openai',
    );
  });
});
