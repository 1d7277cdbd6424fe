import { z } from 'zod';
import { AiConfigSchema } from '@refinery/ai';
import {
  DEFAULT_MIN_CONFIDENCE,
  DEFAULT_RETRY_SCHEDULE,
  TenantSlugSchema,
} from '@refinery/contracts';
import { BaseConfigSchema, durationsVar, durationVar, portVar } from '@refinery/runtime';

const schedule = durationsVar;
const duration = durationVar;

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
  });

export type StageConfig = z.infer<ReturnType<typeof stageConfigSchema>>;
