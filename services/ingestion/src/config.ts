import { z } from 'zod';
import { BaseConfigSchema, portVar } from '@refinery/runtime';

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
});

export type IngestionConfig = z.infer<typeof IngestionConfigSchema>;
export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');

/** A batch holds at most this many events (HTTP body or NATS fetch). */
export const MAX_BATCH_EVENTS = 1000;
