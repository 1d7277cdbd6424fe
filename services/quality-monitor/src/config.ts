import { z } from 'zod';
import {
  DEFAULT_MIN_CONFIDENCE,
  DEFAULT_RETRY_SCHEDULE,
  TenantSlugSchema,
} from '@refinery/contracts';
import {
  MAX_RETENTION_INTERVAL,
  retentionSettings,
  type RetentionRule,
} from '@refinery/persistence';
import {
  BaseConfigSchema,
  durationsVar,
  durationVar,
  parseDurations,
  portVar,
} from '@refinery/runtime';
import { RULES_CONFIG } from './rules-config';

/**
 * What retention removes (docs/retention.md), in this order: an escalation goes before its
 * record can. A record in progress, or FAILED, is never completed, so it stays; so does one a
 * person still has (an escalation it completed less than the escalations' retention ago).
 */
export const QUALITY_RETENTION = [
  // Resolved: its record completed after all (a replay, a reprocessing, a person's fix).
  {
    table: 'escalations',
    column: 'escalated_at',
    setting: 'QUALITY_ESCALATIONS_RETENTION_DAYS',
    days: 90,
    where: `EXISTS (SELECT 1 FROM record_states r
                     WHERE r.record_id = t.record_id AND r.completed_at < $1)`,
  },
  // Received before the cutoff and completed before it too, with each of its stages' rows.
  {
    table: 'record_states',
    column: 'received_at',
    setting: 'QUALITY_RECORD_STATES_RETENTION_DAYS',
    days: 30,
    where: `t.completed_at < $1
            AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.record_id = t.record_id)`,
    cascade: [{ table: 'stage_states', on: { record_id: 'record_id' } }],
    batchSize: 500,
  },
  // A run holding a rule's latest result stays: the gauges and the data score read it.
  {
    table: 'rule_runs',
    column: 'started_at',
    setting: 'QUALITY_RULE_RUNS_RETENTION_DAYS',
    days: 30,
    where: `NOT EXISTS (SELECT 1 FROM rule_results res
                         WHERE res.run_id = t.id
                           AND NOT EXISTS (SELECT 1 FROM rule_results newer
                                            WHERE newer.rule_id = res.rule_id
                                              AND newer.evaluated_at > res.evaluated_at))`,
    cascade: [{ table: 'rule_results', on: { run_id: 'id' } }],
    batchSize: 100,
  },
  {
    table: 'stream_violations',
    column: 'detected_at',
    setting: 'QUALITY_STREAM_VIOLATIONS_RETENTION_DAYS',
    days: 30,
  },
  // Only resolved alerts: an alert with no state is not firing, so none is announced again.
  {
    table: 'alert_states',
    column: 'changed_at',
    setting: 'QUALITY_ALERT_STATES_RETENTION_DAYS',
    days: 30,
    where: 'NOT t.firing',
  },
] as const satisfies readonly RetentionRule[];

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
  /** How often rows past their retention are removed; 0 turns it off. */
  RETENTION_INTERVAL: durationVar
    .refine((ms) => ms <= MAX_RETENTION_INTERVAL, 'must be at most 7d')
    .default(parseDurations('1h')[0]),
  ...retentionSettings(QUALITY_RETENTION),
});

export type QualityConfig = z.infer<typeof QualityConfigSchema>;
export const QUALITY_CONFIG = Symbol('QUALITY_CONFIG');
