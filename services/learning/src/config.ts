import { z } from 'zod';
import { EmbeddingsConfigSchema } from '@refinery/ai';
import { TenantSlugSchema } from '@refinery/contracts';
import { BaseConfigSchema, durationVar, parseDurations, portVar } from '@refinery/runtime';

const OwnConfigSchema = BaseConfigSchema.extend({
  PORT: portVar(3004),
  /** How often approved items are applied and published; 0 turns the schedule off. */
  LEARNING_APPLY_INTERVAL: durationVar.default(parseDurations('30s')[0]),
  /** How often the materialized views are refreshed; 0 turns the schedule off. */
  LEARNING_REFRESH_INTERVAL: durationVar.default(parseDurations('5m')[0]),
  /** Cosine similarity from which a new item is a duplicate of an existing one. */
  LEARNING_SIMILARITY_THRESHOLD: z.coerce.number().min(0).max(1).default(0.85),
  /** Follow one tenant only, under consumers of its own: dedicated instances, isolated tests. */
  LEARNING_TENANT: TenantSlugSchema.optional(),
  /** How long feedback waits for its record to reach learning before a 404. */
  LEARNING_RECORD_GRACE: durationVar.default(parseDurations('2s')[0]),
});
/** The embeddings settings (EMBEDDINGS_*, local by default) are libs/ai's, checked together. */
export const LearningConfigSchema = EmbeddingsConfigSchema.safeExtend(OwnConfigSchema.shape);
export type LearningConfig = z.infer<typeof LearningConfigSchema>;
export const LEARNING_CONFIG = Symbol('LEARNING_CONFIG');
