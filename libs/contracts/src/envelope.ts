import { z } from 'zod';

export const SCHEMA_VERSION = 1;

/**
 * Every message on the bus is this envelope around an event-specific `data`. W3C
 * `traceparent` travels in the message headers, not here.
 */
export const envelope = <T extends z.ZodType>(type: string, data: T) =>
  z.object({
    id: z.string().min(1),
    tenant: z.string().min(1),
    type: z.literal(type),
    schema_version: z.literal(SCHEMA_VERSION),
    occurred_at: z.iso.datetime({ offset: true }),
    record_id: z.uuid().nullable(),
    data,
  });

export type Envelope<T> = {
  id: string;
  tenant: string;
  type: string;
  schema_version: typeof SCHEMA_VERSION;
  occurred_at: string;
  record_id: string | null;
  data: T;
};
