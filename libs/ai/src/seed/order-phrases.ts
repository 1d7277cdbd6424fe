import type { Scenario, Subtype } from './scenarios';

/** Free-text order notes by problem, as shop staff and checkout forms write them. */
export const ORDER_NOTES: Partial<Record<Scenario, Partial<Record<Subtype | 'any', string[]>>>> = {
  delay: {
    any: [
      'customer asked where the parcel is',
      'customer chasing delivery, promised date passed',
      'no movement on the tracking since dispatch',
      'customer emailed twice about the delay',
    ],
  },
  payment: {
    overcharged: [
      'voucher code was not applied at checkout',
      'customer says the card was charged twice',
      'paid shipping although free shipping was promised',
    ],
    short: [
      'bank transfer received is less than the total',
      'partial payment only, rest pending',
      'gift card balance did not cover the order',
    ],
  },
  stockout: {
    any: [
      'backorder: supplier restock pending',
      'warehouse shows only 2 left',
      'bulk order, check stock before confirming',
      'item out of stock at the main warehouse',
    ],
  },
  address: {
    any: [
      'customer forgot the flat number',
      'address looks incomplete',
      'courier note: street not found',
      'please confirm the postcode with the customer',
    ],
  },
  request: {
    cancel: ['customer asked to cancel', 'please cancel this order', 'cancel requested by email'],
    redirect: [
      'please ship to the office address instead',
      'customer wants delivery to a parcel locker',
    ],
    reschedule: ['deliver after the 20th please', 'customer away until next week, hold it'],
    other: ['please add gift wrapping', 'customer wants an invoice with VAT number'],
  },
  damage: {
    any: [
      'returned: arrived broken',
      'customer sent photos of a cracked item, return accepted',
      'return reason: damaged in transit',
    ],
  },
  missing: {
    partial: [
      'customer says one item was not in the box',
      'delivery incomplete, accessory missing',
    ],
    not_received: [
      'tracking shows delivered, customer has nothing',
      'customer never received it despite delivered status',
    ],
  },
};

/** Notes on healthy orders; a few mention problem words without a problem. */
export const BENIGN_NOTES: readonly string[] = [
  'leave at the door',
  'please ring the bell twice',
  'gift, no invoice in the parcel',
  'repeat customer',
  'deliver to reception',
  'no rush',
  'customer confirmed the address by phone',
  'fragile, pack carefully',
  'paid in full by card',
];

export const CATALOGUE: readonly { sku: string; name: string; priceEur: number }[] = [
  { sku: 'LMP-100', name: 'Desk lamp', priceEur: 39 },
  { sku: 'PHN-220', name: 'Phone case', priceEur: 19 },
  { sku: 'VAS-010', name: 'Glass vase', priceEur: 55 },
  { sku: 'LTP-900', name: 'Laptop 14"', priceEur: 1199 },
  { sku: 'MIR-300', name: 'Wall mirror', priceEur: 129 },
  { sku: 'COF-450', name: 'Coffee machine', priceEur: 289 },
  { sku: 'JKT-120', name: 'Rain jacket', priceEur: 89 },
  { sku: 'CHG-050', name: 'USB-C charger', priceEur: 25 },
  { sku: 'HDP-700', name: 'Headphones', priceEur: 249 },
  { sku: 'SHO-410', name: 'Running shoes', priceEur: 119 },
  { sku: 'MON-270', name: 'Monitor 27"', priceEur: 329 },
  { sku: 'TEA-015', name: 'Teapot', priceEur: 29 },
  { sku: 'SOC-005', name: 'Socks, 5 pack', priceEur: 12 },
];

/** Approximate EUR rates; the featurizer keeps its own copy for value buckets. */
export const CURRENCIES: readonly { code: string; perEur: number }[] = [
  { code: 'EUR', perEur: 1 },
  { code: 'USD', perEur: 1.1 },
  { code: 'GBP', perEur: 0.85 },
  { code: 'SEK', perEur: 11.5 },
  { code: 'JPY', perEur: 160 },
];

export const STREETS = ['Hauptstraße', 'Main Street', 'Rue de la Paix', 'Kerkstraat', 'Via Roma'];
export const COUNTRIES = ['DE', 'NL', 'FR', 'GB', 'IT', 'AT', 'US'];
