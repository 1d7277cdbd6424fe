import { z } from 'zod';
import {
  DEFAULT_MIN_CONFIDENCE,
  DEFAULT_RETRY_SCHEDULE,
  TenantSlugSchema,
} from '@refinery/contracts';
import {
  BaseConfigSchema,
  durationsVar,
  durationVar,
  parseDurations,
  portVar,
} from '@refinery/runtime';
import { RULES_CONFIG } from './rules-config';

const ratio = z.coerce.number().min(0).max(1);
const score = z.coerce.number().min(0).max(100);

/** Alert thresholds are the design's defaults; PUT /api/enrichment/thresholds/:tenant overrides them. */
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
  /** How often the sweep looks for records to drive again; 0 turns it off. */
  QUALITY_SWEEP_INTERVAL: durationVar.default(parseDurations('4h')[0]),
  /** A record waiting this long in a stage (past its longest retry delay) is stuck. */
  QUALITY_STUCK_AFTER: durationVar.default(parseDurations('6h')[0]),
  /** An answer below the confidence threshold that nobody labelled in this time escalates. */
  QUALITY_UNSURE_AFTER: durationVar.default(parseDurations('24h')[0]),
  /** A record driven again is not asked for again before this. */
  QUALITY_REPROCESS_COOLDOWN: durationVar.default(parseDurations('15m')[0]),
  /** The stages' retry schedule: more retries than it has delays is a defect. */
  ENRICHMENT_RETRY_SCHEDULE: durationsVar.prefault(DEFAULT_RETRY_SCHEDULE),
  /** How often alerts are evaluated and changes published on alerts.<severity>.<tenant>; 0 turns it off. */
  QUALITY_ALERT_INTERVAL: durationVar.default(30_000),
  /** Confidence from which a classification counts as high-confidence. */
  ENRICHMENT_MIN_CONFIDENCE: ratio.default(DEFAULT_MIN_CONFIDENCE),
  ...RULES_CONFIG,
});

export type QualityConfig = z.infer<typeof QualityConfigSchema>;
export const QUALITY_CONFIG = Symbol('QUALITY_CONFIG');
