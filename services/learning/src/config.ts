import { z } from 'zod';
import { EmbeddingsConfigSchema } from '@refinery/ai';
import { TenantSlugSchema } from '@refinery/contracts';
import {
  MAX_RETENTION_INTERVAL,
  retentionSettings,
  type RetentionRule,
} from '@refinery/persistence';
import { BaseConfigSchema, durationVar, parseDurations, portVar } from '@refinery/runtime';

const UUID = `'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`;

/**
 * What retention removes (docs/retention.md), in this order. What people said (feedback,
 * corrections) and the learning queue are kept: they are the labels, and the review console
 * reads a record as settled from them. An interaction stays while anything hangs off it or it
 * waits for a person; its response analytics go first, under their own retention.
 */
export const LEARNING_RETENTION = [
  {
    table: 'response_analytics',
    column: 'created_at',
    setting: 'LEARNING_RESPONSE_ANALYTICS_RETENTION_DAYS',
    days: 180,
  },
  {
    table: 'interactions',
    column: 'created_at',
    setting: 'LEARNING_INTERACTIONS_RETENTION_DAYS',
    days: 180,
    // The review console's reasons to wait ($2: LEARNING_REVIEW_CONFIDENCE), and what cascades.
    where: `NOT t.review_requested AND NOT coalesce(t.confidence < $2, false)
            AND NOT (t.record_type = 'exception' AND t.label IS NULL)
            AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.interaction_id = t.id)
            AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.interaction_id = t.id)
            AND NOT EXISTS (SELECT 1 FROM voice_transcripts v WHERE v.interaction_id = t.id)
            AND NOT EXISTS (SELECT 1 FROM response_analytics r WHERE r.interaction_id = t.id)`,
    uses: ['LEARNING_REVIEW_CONFIDENCE'],
  },
  // An explanation stays with its interaction, which the review console shows it with.
  {
    table: 'model_explanations',
    column: 'generated_at',
    setting: 'LEARNING_EXPLANATIONS_RETENTION_DAYS',
    days: 180,
    where: `NOT EXISTS (SELECT 1 FROM interactions i
                         WHERE i.id = CASE WHEN t.entity_id ~ ${UUID} THEN t.entity_id::uuid END)`,
  },
  // A transcript stays while a learning drawn from it waits for a decision or to be applied.
  {
    table: 'voice_transcripts',
    column: 'created_at',
    setting: 'LEARNING_TRANSCRIPTS_RETENTION_DAYS',
    days: 180,
    where: `NOT EXISTS (SELECT 1 FROM learning_queue q
                         WHERE q.source_type = 'transcript' AND q.source_id = t.id
                           AND q.status IN ('pending', 'approved'))`,
  },
] as const satisfies readonly RetentionRule[];

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
  /** How often rows past their retention are removed; 0 turns it off. */
  RETENTION_INTERVAL: durationVar
    .refine((ms) => ms <= MAX_RETENTION_INTERVAL, 'must be at most 7d')
    .default(parseDurations('1h')[0]),
  ...retentionSettings(LEARNING_RETENTION),
});
/** The embeddings settings (EMBEDDINGS_*, local by default) are libs/ai's, checked together. */
export const LearningConfigSchema = EmbeddingsConfigSchema.safeExtend(OwnConfigSchema.shape);
export type LearningConfig = z.infer<typeof LearningConfigSchema>;
export const LEARNING_CONFIG = Symbol('LEARNING_CONFIG');
