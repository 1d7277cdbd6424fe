import { z } from 'zod';
import { isoDateTime } from './fields';

/** A delivery exception reported against an order. Unknown fields are kept. */
export const ExceptionSchema = z.looseObject({
  order_number: z.string().min(1).max(100),
  description: z.string().min(1).max(10_000),
  carrier: z.string().max(100).optional(),
  tracking_number: z.string().max(100).optional(),
  reported_by: z.enum(['carrier', 'customer', 'warehouse', 'system']).optional(),
  /** What the reporter called it; classification decides the label independently. */
  reported_kind: z.string().max(100).optional(),
  reported_at: isoDateTime().optional(),
});

export type DeliveryException = z.infer<typeof ExceptionSchema>;
