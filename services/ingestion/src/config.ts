import { z } from 'zod';
import {
  MAX_RETENTION_INTERVAL,
  retentionSettings,
  type RetentionRule,
} from '@refinery/persistence';
import { BaseConfigSchema, durationVar, parseDurations, portVar } from '@refinery/runtime';

/**
 * What retention removes (docs/retention.md), in this order. A record row only serves to spot a
 * record sent twice; where it stands in the pipeline is the stages' and the monitor's.
 */
export const INGESTION_RETENTION = [
  {
    table: 'records',
    column: 'received_at',
    setting: 'INGESTION_RECORDS_RETENTION_DAYS',
    days: 30,
  },
  {
    table: 'rejections',
    column: 'received_at',
    setting: 'INGESTION_REJECTIONS_RETENTION_DAYS',
    days: 14,
  },
] as const satisfies readonly RetentionRule[];

export const IngestionConfigSchema = BaseConfigSchema.extend({
  PORT: portVar(3000),
  /** Creates tenant `demo` with this key at start (npm start sets it). */
  REFINERY_DEMO_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Events per second per tenant, unless the tenant row says otherwise. */
  INGEST_RATE_LIMIT_PER_S: z.coerce.number().int().positive().default(5000),
  INGEST_MAX_BODY: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 512kb or 10mb')
    .default('10mb'),
  /** How often rows past their retention are removed; 0 turns it off. */
  RETENTION_INTERVAL: durationVar
    .refine((ms) => ms <= MAX_RETENTION_INTERVAL, 'must be at most 7d')
    .default(parseDurations('1h')[0]),
  ...retentionSettings(INGESTION_RETENTION),
});

export type IngestionConfig = z.infer<typeof IngestionConfigSchema>;
export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');

/** A batch holds at most this many events (HTTP body or NATS fetch). */
export const MAX_BATCH_EVENTS = 1000;
