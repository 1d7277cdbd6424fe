import { z } from 'zod';

const hash = z.string().regex(/^[0-9a-f]{64}$/);

/** The models a stage can serve from the registry: one per AI task that learns from corrections. */
export const SERVED_MODELS = ['classification', 'resolution'] as const;
export type ServedModelName = (typeof SERVED_MODELS)[number];

export const MODEL_STAGES = ['staging', 'production', 'archived'] as const;
export type ModelStage = (typeof MODEL_STAGES)[number];

/** Where a model came from: enough to rebuild it. */
export const ModelLineageSchema = z.object({
  dataset: z.string().nullable(),
  commit: hash.nullable(),
  feature_space: z.string(),
  code_revision: z.string(),
});

export const PublishedModelSchema = z.object({
  name: z.enum(SERVED_MODELS),
  version: z.number().int().min(1),
  /** `<name>@<version>`: what every output of the model names as its model version. */
  model_version: z.string(),
  artifact_hash: hash,
  lineage: ModelLineageSchema,
});

/**
 * A tenant's production model of one name changed (or is announced again), with its weights.
 * The latest message of each name and tenant is the whole truth, so a stage that starts reads
 * only that one. One model per message: a model's weights take about half of NATS's 1 MB.
 */
export const ModelPublishedSchema = PublishedModelSchema.extend({
  reason: z.enum(['promoted', 'rolled_back', 'republished']),
  /** Base64 of the gzip bytes the registry stores; their sha256 is `artifact_hash`. */
  artifact: z.string(),
});
