import { z } from 'zod';
import { TenantSlugSchema } from '@refinery/contracts';
import {
  MAX_RETENTION_INTERVAL,
  retentionSettings,
  type RetentionRule,
} from '@refinery/persistence';
import { BaseConfigSchema, durationVar, parseDurations, portVar } from '@refinery/runtime';

/**
 * What retention removes (docs/retention.md). Only candidate decisions go: datasets, commits,
 * example versions, tags, branches and labeling history are the datasets' history, which
 * rollback and lineage read, and are never deleted. A decision goes unless it waits to be
 * promoted (confirmed by positive feedback, not yet an example).
 */
export const DATASETS_RETENTION = [
  {
    table: 'decisions',
    column: 'completed_at',
    setting: 'DATASETS_DECISIONS_RETENTION_DAYS',
    days: 180,
    where: 'NOT (t.positive_feedback_at IS NOT NULL AND t.promoted_at IS NULL)',
  },
  // Positive feedback on a record whose confident result never came.
  {
    table: 'decisions',
    name: 'decisions without a result',
    column: 'positive_feedback_at',
    setting: 'DATASETS_DECISIONS_RETENTION_DAYS',
    days: 180,
    where: 't.completed_at IS NULL',
  },
] as const satisfies readonly RetentionRule[];

export const DatasetsConfigSchema = BaseConfigSchema.extend({
  PORT: portVar(3005),
  /** The dataset of each tenant whose `candidates` branch production examples land on. */
  DATASETS_CANDIDATES_DATASET: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/)
    .default('golden'),
  /** Candidates scoring below this (0-100) are dropped. */
  DATASETS_QUALITY_THRESHOLD: z.coerce.number().min(0).max(100).default(75),
  /** Enrichment results below this confidence never become candidates. */
  DATASETS_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.8),
  /** Labelers per example before `next` stops serving it. */
  DATASETS_LABEL_OVERLAP: z.coerce.number().int().min(1).max(20).default(2),
  /** Follow one tenant only, under consumers of its own: dedicated instances, isolated tests. */
  DATASETS_TENANT: TenantSlugSchema.optional(),
  /** How often rows past their retention are removed; 0 turns it off. */
  RETENTION_INTERVAL: durationVar
    .refine((ms) => ms <= MAX_RETENTION_INTERVAL, 'must be at most 7d')
    .default(parseDurations('1h')[0]),
  ...retentionSettings(DATASETS_RETENTION),
});
export type DatasetsConfig = z.infer<typeof DatasetsConfigSchema>;
export const DATASETS_CONFIG = Symbol('DATASETS_CONFIG');
