import { z } from 'zod';
import { ExceptionSchema } from './exception.schema';
import { isoDateTime } from './fields';
import { OrderSchema } from './order.schema';
import { TranscriptSchema } from './transcript.schema';

/** The record types Refinery accepts, each with the schema of its `data`. */
export const RECORD_TYPES = {
  order: OrderSchema,
  exception: ExceptionSchema,
  transcript: TranscriptSchema,
} as const;

export type RecordType = keyof typeof RECORD_TYPES;
export const RecordTypeSchema = z.enum(Object.keys(RECORD_TYPES) as [RecordType, ...RecordType[]]);

/**
 * The record types the enrichment stages take. The others (transcripts) are stored and
 * announced on `records.received` like every record, but order analysis and the quality
 * monitor do not even receive them: their consumers filter on these types.
 */
export const ENRICHED_RECORD_TYPES = [
  'order',
  'exception',
] as const satisfies readonly RecordType[];
export type EnrichedRecordType = (typeof ENRICHED_RECORD_TYPES)[number];

const token = /^[a-z0-9][a-z0-9_-]*$/;

/** Postgres stores years 0001 on and UTC offsets up to 15:59; ISO 8601 (and zod) allow more. */
const fitsTimestamptz = (iso: string): boolean => {
  const offset = /([+-])(\d{2}):?\d{2}$/.exec(iso);
  return !iso.startsWith('0000') && (offset === null || Number(offset[2]) <= 15);
};

const envelopeFields = {
  source: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", ":" or "-"'),
  external_id: z.string().min(1).max(200),
  occurred_at: isoDateTime().refine(
    fitsTimestamptz,
    'must be in year 0001 or later, with a UTC offset of at most 15:59',
  ),
};

/** What an upstream system sends to ingestion, over HTTP or NATS. */
export const IncomingEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('order'), ...envelopeFields, data: OrderSchema }),
  z.object({ type: z.literal('exception'), ...envelopeFields, data: ExceptionSchema }),
  z.object({ type: z.literal('transcript'), ...envelopeFields, data: TranscriptSchema }),
]);
export type IncomingEvent = z.infer<typeof IncomingEventSchema>;

/** A tenant slug: lowercase, usable as a NATS subject token. */
export const TenantSlugSchema = z
  .string()
  .min(2)
  .max(63)
  .regex(token, 'must be lowercase letters, digits, "_" or "-"')
  .refine((s) => s !== 'rejected', '"rejected" is reserved');
