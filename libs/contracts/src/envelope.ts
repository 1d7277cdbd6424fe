import { z } from 'zod';

export const SCHEMA_VERSION = 1;

/**
 * Every message on the bus is this envelope around an event-specific `data`. W3C
 * `traceparent` travels in the message headers, not here.
 */
export const envelope = <N extends string, T extends z.ZodType>(type: N, data: T) =>
  z.object({
    id: z.string().min(1),
    tenant: z.string().min(1),
    type: z.literal(type),
    schema_version: z.literal(SCHEMA_VERSION),
    occurred_at: z.iso.datetime({ offset: true }),
    record_id: z.uuid().nullable(),
    data,
  });

/** The envelope of an event about one record: its `record_id` is always set. */
export const recordEnvelope = <N extends string, T extends z.ZodType>(type: N, data: T) =>
  envelope(type, data).extend({ record_id: z.uuid() });
