import { z } from 'zod';
import { TenantSlugSchema } from '@refinery/contracts';
import { BaseConfigSchema, portVar } from '@refinery/runtime';

const ratio = z.coerce.number().min(0).max(1);
const score = z.coerce.number().min(0).max(100);

/** Alert thresholds are the design's defaults; a tenant's own override comes later. */
export const QualityConfigSchema = BaseConfigSchema.extend({
  PORT: portVar(3006),
  /** Records younger than this are still on their way and do not count against completeness. */
  QUALITY_GRACE_SECONDS: z.coerce.number().int().min(0).default(300),
  QUALITY_COMPLETENESS_CRITICAL: ratio.default(0.7),
  QUALITY_COMPLETENESS_WARNING: ratio.default(0.85),
  QUALITY_SCORE_CRITICAL: score.default(60),
  QUALITY_SCORE_WARNING: score.default(80),
  QUALITY_BACKLOG_CRITICAL: z.coerce.number().int().min(0).default(1000),
  QUALITY_FAILURE_RATE_CRITICAL: ratio.default(0.2),
  /** Follow one tenant only, under consumers of its own: dedicated monitors, isolated tests. */
  QUALITY_TENANT: TenantSlugSchema.optional(),
  /** Confidence from which a classification counts as high-confidence. */
  ENRICHMENT_MIN_CONFIDENCE: ratio.default(0.7),
});

export type QualityConfig = z.infer<typeof QualityConfigSchema>;
export const QUALITY_CONFIG = Symbol('QUALITY_CONFIG');
