/** A valid incoming order, as an upstream system sends it: the starting point of spec cases. */
export const exampleOrder = {
  type: 'order',
  source: 'shop-eu',
  external_id: 'o-1',
  occurred_at: '2026-11-01T10:00:00Z',
  data: {
    order_number: 'A-1',
    customer: { id: 'c-1', email: 'ana@example.com' },
    items: [{ sku: 'SKU-1', quantity: 2, unit_price: 9.5 }],
    currency: 'EUR',
    total: 19,
    status: 'paid',
  },
};
