import { z } from 'zod';
import { isoDateTime } from './fields';

const money = z.number().finite().nonnegative();

export const OrderItemSchema = z.object({
  sku: z.string().min(1).max(100),
  name: z.string().max(500).optional(),
  quantity: z.number().int().positive(),
  unit_price: money,
});

/** An e-commerce order as an upstream shop system sends it. Unknown fields are kept. */
export const OrderSchema = z.looseObject({
  order_number: z.string().min(1).max(100),
  customer: z.looseObject({
    id: z.string().min(1).max(100),
    email: z.email().max(320).optional(),
    name: z.string().max(500).optional(),
  }),
  items: z.array(OrderItemSchema).min(1).max(1000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  total: money,
  status: z.enum(['placed', 'paid', 'fulfilled', 'shipped', 'delivered', 'cancelled', 'returned']),
  placed_at: isoDateTime().optional(),
  shipping: z
    .looseObject({
      method: z.string().max(100).optional(),
      carrier: z.string().max(100).optional(),
      country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE'),
      promised_at: isoDateTime().optional(),
    })
    .optional(),
  notes: z.string().max(10_000).optional(),
});

export type Order = z.infer<typeof OrderSchema>;
