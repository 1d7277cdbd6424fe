import { z } from 'zod';
import { TenantSlugSchema } from '@refinery/contracts';
import { BaseConfigSchema, portVar } from '@refinery/runtime';

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
});
export type DatasetsConfig = z.infer<typeof DatasetsConfigSchema>;
export const DATASETS_CONFIG = Symbol('DATASETS_CONFIG');
