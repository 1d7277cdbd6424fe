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
  /**
   * How often every tenant's serving models are announced again (and once at start): a stage
   * starting reads the last announcement, which the stream keeps 30 days; 0 turns it off.
   */
  LEARNING_REPUBLISH_INTERVAL: durationVar.default(parseDurations('24h')[0]),
  /** Cosine similarity from which a new item is a duplicate of an existing one. */
  LEARNING_SIMILARITY_THRESHOLD: z.coerce.number().min(0).max(1).default(0.85),
  /** Follow one tenant only, under consumers of its own: dedicated instances, isolated tests. */
  LEARNING_TENANT: TenantSlugSchema.optional(),
  /** How long feedback waits for its record to reach learning before a 404. */
  LEARNING_RECORD_GRACE: durationVar.default(parseDurations('2s')[0]),
  /** An answer below this confidence waits in the review console for a person. */
  LEARNING_REVIEW_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.7),
  /** Where dataset-versioning answers: retraining reads commits, the console labeling figures. */
  DATASETS_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3005'),
  /** Corrected examples a commit must bring before it retrains the models; 0 turns it off. */
  LEARNING_RETRAIN_MIN_CORRECTED: z.coerce.number().int().min(0).default(50),
  /** The branch whose commits retrain the models. */
  LEARNING_RETRAIN_BRANCH: z.string().min(1).default('main'),
  /** How much higher a candidate's Gold validation accuracy must be to replace production. */
  LEARNING_PROMOTION_MARGIN: z.coerce.number().min(0).max(1).default(0.01),
  /** The most any label's recall may fall for a candidate to be promoted. */
  LEARNING_MAX_RECALL_DROP: z.coerce.number().min(0).max(1).default(0.05),
  /** The most a candidate's accuracy may fall on the seed set's held-out split. */
  LEARNING_MAX_REGRESSION: z.coerce.number().min(0).max(1).default(0.01),
});
/** The embeddings settings (EMBEDDINGS_*, local by default) are libs/ai's, checked together. */
export const LearningConfigSchema = EmbeddingsConfigSchema.safeExtend(OwnConfigSchema.shape);
export type LearningConfig = z.infer<typeof LearningConfigSchema>;
export const LEARNING_CONFIG = Symbol('LEARNING_CONFIG');
