import { z } from 'zod';
import type { Embedder } from './embedder';
import { LocalEmbedder } from './local-embedder';
import { OpenAiEmbedder, supportsDimensions } from './openai-embedder';

export const EMBEDDINGS_PROVIDER_NAMES = ['local', 'openai'] as const;

// Compose files often pass an unset variable through as "", which means "not set" here.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const OPENAI_REQUIRED = ['EMBEDDINGS_BASE_URL', 'EMBEDDINGS_MODEL'] as const;

/**
 * The embedding settings, shaped like the environment and named like the AI provider's
 * (`AI_PROVIDER`, `OPENAI_BASE_URL`...). They are separate from those: the chat model and the
 * embedding model are often served by different endpoints, and a key is never sent to a URL
 * it was not given for. To combine with a service's settings and keep the cross-field check:
 * `EmbeddingsConfigSchema.safeExtend(LearningConfigSchema.shape)`.
 *
 * - `EMBEDDINGS_PROVIDER`: `local` (default; no network) or `openai` (any OpenAI-compatible
 *   `/embeddings` endpoint).
 * - `EMBEDDINGS_BASE_URL`: up to and including the version, e.g. `https://api.openai.com/v1`.
 * - `EMBEDDINGS_API_KEY`: optional, self-hosted servers often need none.
 * - `EMBEDDINGS_MODEL`: a model with 768-dimensional vectors, or one that can shorten its vectors
 *   to 768 (text-embedding-3-small / -large).
 * - `EMBEDDINGS_REQUEST_DIMENSIONS`: whether to send `dimensions: 768`; `auto` does for
 *   text-embedding-3-* only, since other models reject the parameter.
 * - `EMBEDDINGS_TIMEOUT_MS`, `EMBEDDINGS_MAX_RETRIES` (after 429, 5xx or a failed connection),
 *   `EMBEDDINGS_BATCH_SIZE` (texts per request).
 */
export const EmbeddingsConfigSchema = z
  .object({
    EMBEDDINGS_PROVIDER: z.enum(EMBEDDINGS_PROVIDER_NAMES).default('local'),
    EMBEDDINGS_BASE_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
    EMBEDDINGS_API_KEY: optional(z.string()),
    EMBEDDINGS_MODEL: optional(z.string()),
    EMBEDDINGS_REQUEST_DIMENSIONS: z.enum(['auto', 'always', 'never']).default('auto'),
    EMBEDDINGS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    EMBEDDINGS_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
    EMBEDDINGS_BATCH_SIZE: z.coerce.number().int().min(1).max(2048).default(256),
  })
  .superRefine(
    (config, ctx) => {
      if (config.EMBEDDINGS_PROVIDER !== 'openai') return;
      for (const name of OPENAI_REQUIRED) {
        if (!config[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'required when EMBEDDINGS_PROVIDER=openai',
          });
        }
      }
    },
    // Run even when other variables are bad, so one start names every problem.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type EmbeddingsConfig = z.infer<typeof EmbeddingsConfigSchema>;

/**
 * The embedder the settings name. Takes the environment itself or settings already parsed
 * (a service's config that includes these variables); throws naming every bad variable.
 */
export function createEmbedder(env: Readonly<Record<string, unknown>> = process.env): Embedder {
  const parsed = EmbeddingsConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid embedding settings: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  switch (config.EMBEDDINGS_PROVIDER) {
    case 'local':
      return new LocalEmbedder();
    case 'openai': {
      const { EMBEDDINGS_BASE_URL: baseUrl, EMBEDDINGS_MODEL: model } = config;
      // Checked by the schema already; narrowed here for the compiler.
      if (!baseUrl || !model) throw new Error('EMBEDDINGS_PROVIDER=openai needs a URL and model');
      const request = config.EMBEDDINGS_REQUEST_DIMENSIONS;
      return new OpenAiEmbedder({
        baseUrl,
        model,
        apiKey: config.EMBEDDINGS_API_KEY,
        timeoutMs: config.EMBEDDINGS_TIMEOUT_MS,
        maxRetries: config.EMBEDDINGS_MAX_RETRIES,
        batchSize: config.EMBEDDINGS_BATCH_SIZE,
        requestDimensions: request === 'auto' ? supportsDimensions(model) : request === 'always',
      });
    }
  }
}
