import { z } from 'zod';
import { AiConfigSchema } from '@refinery/ai';
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
import { publishedSql } from './stage-records.repository';

const schedule = durationsVar;
const duration = durationVar;

/**
 * What retention removes in every stage's schema (docs/retention.md), in this order. A record
 * goes once it is final and its events went out: a PENDING one is the stage's to
 * finish, and a FAILED one is kept until it was escalated to a person (a reprocess request
 * past the limit escalates it from this row).
 */
export const STAGE_RETENTION = [
  {
    table: 'stage_records',
    column: 'first_attempt_at',
    setting: 'ENRICHMENT_STAGE_RECORDS_RETENTION_DAYS',
    days: 14,
    where: `t.finished_at < $1
            AND (t.status IN ('COMPLETED', 'SKIPPED')
                 OR (t.status = 'FAILED' AND t.escalated_at IS NOT NULL))
            AND ${publishedSql('t')}`,
  },
  // A batch goes once no row names it: a row naming a missing batch would count as unpublished.
  // Rows name the batch that saved them, which they were first attempted before: only rows
  // older than the cutoff can name a batch published before it.
  {
    table: 'published_batches',
    column: 'published_at',
    setting: 'ENRICHMENT_PUBLISHED_BATCHES_RETENTION_DAYS',
    days: 14,
    where: `NOT EXISTS (SELECT 1 FROM stage_records s
                         WHERE s.first_attempt_at < $1 AND s.batch_id = t.batch_id)`,
  },
] as const satisfies readonly RetentionRule[];

/** The settings every stage service reads, shaped like the environment. */
export const stageConfigSchema = (defaultPort: number) =>
  AiConfigSchema.safeExtend(BaseConfigSchema.shape).safeExtend({
    PORT: portVar(defaultPort),
    /** Delays before each retry; its length is the retry limit. Tests use seconds. */
    ENRICHMENT_RETRY_SCHEDULE: schedule.prefault(DEFAULT_RETRY_SCHEDULE),
    /** Each delay varies by up to this share either way. */
    ENRICHMENT_RETRY_JITTER: z.coerce.number().min(0).lt(1).default(0.2),
    ENRICHMENT_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(DEFAULT_MIN_CONFIDENCE),
    /**
     * Whether a classification below the threshold is asked again. `auto` asks again only a
     * provider whose answers can change (an LLM); a deterministic model would repeat itself.
     */
    ENRICHMENT_LOW_CONFIDENCE_RETRY: z.enum(['auto', 'always', 'never']).default('auto'),
    /** How long a delivery may stay unacknowledged (its worker died) before NATS redelivers it. */
    ENRICHMENT_ACK_WAIT: duration
      .refine((ms) => ms >= 1_000, 'must be at least 1s')
      .default(60_000),
    /** Messages per batch: one claim, one save and one publish round per batch. */
    ENRICHMENT_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
    /** AI calls in flight at once per stage process. */
    ENRICHMENT_AI_CONCURRENCY: z.coerce.number().int().min(1).default(16),
    /**
     * How often the quality monitor may drive a FAILED record again (one attempt each) before
     * a further request escalates it to a person instead.
     */
    ENRICHMENT_REPROCESS_LIMIT: z.coerce.number().int().min(0).default(3),
    /** Consume one tenant only, under its own durable consumer: dedicated workers, isolated tests. */
    ENRICHMENT_TENANT: TenantSlugSchema.optional(),
    /** How often rows past their retention are removed; 0 turns it off. */
    RETENTION_INTERVAL: durationVar
      .refine((ms) => ms <= MAX_RETENTION_INTERVAL, 'must be at most 7d')
      .default(parseDurations('1h')[0]),
    ...retentionSettings(STAGE_RETENTION),
  });

export type StageConfig = z.infer<ReturnType<typeof stageConfigSchema>>;
