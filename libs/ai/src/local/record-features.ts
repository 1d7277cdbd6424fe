import type { RecordInput } from '../provider';
import { textFeatures } from './tokenize';

const DAY_MS = 86_400_000;

const STATUSES = ['placed', 'paid', 'fulfilled', 'shipped', 'delivered', 'cancelled', 'returned'];
const REPORTERS = ['carrier', 'customer', 'warehouse', 'system', 'unknown'];
const VALUE_BUCKETS = [
  [50, 'value<50'],
  [200, 'value=50-200'],
  [500, 'value=200-500'],
  [1000, 'value=500-1000'],
  [Infinity, 'value>=1000'],
] as const;

/** Rough EUR rates: only to put totals in comparable value buckets, never for accounting. */
const PER_EUR: Record<string, number> = {
  EUR: 1,
  USD: 1.1,
  GBP: 0.85,
  CHF: 0.95,
  SEK: 11.5,
  NOK: 11.7,
  DKK: 7.45,
  PLN: 4.3,
  CAD: 1.5,
  AUD: 1.65,
  JPY: 160,
};

/**
 * Names how records become features: this file, tokenize.ts, decision-features.ts and the
 * hashing in feature-space.ts. Bump it with any change there: weights only mean something
 * with the features they were trained on, so artifacts from another version are refused.
 */
export const FEATURE_SPACE_VERSION = 'features-1';

/** Structured features with a column of their own (everything else is hashed). */
export const STRUCTURED_FEATURES: readonly string[] = [
  'record=order',
  'record=exception',
  ...STATUSES.map((s) => `status=${s}`),
  ...REPORTERS.map((r) => `reported_by=${r}`),
  'days_late',
  'late',
  'late>7d',
  'late>=12d',
  'days_late_unknown',
  'has_tracking_number',
  'has_carrier',
  'item_count',
  'max_quantity',
  'bulk_quantity',
  ...VALUE_BUCKETS.map(([, name]) => name),
  'value_unknown',
  'total_vs_items',
  'total_over_items',
  'total_under_items',
  'address_no_house_number',
  'address_no_postcode',
  'express',
  'no_text',
];

type Fields = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const obj = (value: unknown): Fields | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;

function daysBetween(later: unknown, earlier: unknown): number | undefined {
  const a = Date.parse(str(later) ?? '');
  const b = Date.parse(str(earlier) ?? '');
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : (a - b) / DAY_MS;
}

function lateness(days: number | undefined, into: Map<string, number>): void {
  if (days === undefined) {
    into.set('days_late_unknown', 1);
    return;
  }
  into.set('days_late', Math.max(-10, Math.min(30, days)) / 10);
  if (days > 0.5) into.set('late', 1);
  if (days > 7) into.set('late>7d', 1);
  if (days >= 12) into.set('late>=12d', 1);
}

function exceptionFeatures(p: Fields, into: Map<string, number>): void {
  const reporter = str(p.reported_by);
  into.set(`reported_by=${reporter && REPORTERS.includes(reporter) ? reporter : 'unknown'}`, 1);
  const kind = str(p.reported_kind)
    ?.toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
  if (kind) into.set(`reported_kind=${kind}`, 1);
  if (str(p.tracking_number)) into.set('has_tracking_number', 1);
  if (str(p.carrier)) into.set('has_carrier', 1);
  // Carrier feeds often carry the promised date; without it lateness is only in the words.
  lateness(daysBetween(p.reported_at, p.promised_at), into);
  textFeatures(str(p.description) ?? '', into);
}

function orderFeatures(p: Fields, into: Map<string, number>): void {
  const status = str(p.status);
  if (status && STATUSES.includes(status)) into.set(`status=${status}`, 1);
  const items = Array.isArray(p.items) ? p.items.map(obj).filter((i): i is Fields => !!i) : [];
  const quantities = items.map((i) => num(i.quantity) ?? 1);
  const maxQuantity = Math.max(1, ...quantities);
  into.set('item_count', Math.log1p(items.length) / Math.log(6));
  into.set('max_quantity', Math.log1p(maxQuantity) / Math.log(61));
  if (maxQuantity >= 10) into.set('bulk_quantity', 1);

  const shipping = obj(p.shipping);
  const itemsSum = items.reduce((s, i) => s + (num(i.quantity) ?? 1) * (num(i.unit_price) ?? 0), 0);
  const expected = itemsSum + (num(shipping?.fee) ?? 0);
  const total = num(p.total);
  const rate = PER_EUR[str(p.currency) ?? ''];
  if (total === undefined || rate === undefined) into.set('value_unknown', 1);
  else into.set(VALUE_BUCKETS.find(([limit]) => total / rate < limit)?.[1] ?? 'value_unknown', 1);
  if (total !== undefined && expected > 0) {
    const gap = (total - expected) / expected;
    into.set('total_vs_items', Math.max(-1, Math.min(1, gap)));
    // Shops round; a cent or two is not a payment problem.
    if (gap > 0.02) into.set('total_over_items', 1);
    if (gap < -0.02) into.set('total_under_items', 1);
  }

  const address = obj(shipping?.address);
  if (address) {
    if (!/\d/.test(str(address.line1) ?? '')) into.set('address_no_house_number', 1);
    if (!str(address.postal_code)) into.set('address_no_postcode', 1);
  }
  if (str(shipping?.carrier)) into.set('has_carrier', 1);
  if (str(shipping?.method) === 'express') into.set('express', 1);
  lateness(daysBetween(p.delivered_at ?? p.updated_at, shipping?.promised_at), into);
  textFeatures(str(p.notes) ?? '', into);
}

/** Every named feature of a record: structured fields first, then text tokens. */
export function recordFeatures(record: RecordInput): Map<string, number> {
  const features = new Map<string, number>([[`record=${record.recordType}`, 1]]);
  if (record.recordType === 'order') orderFeatures(record.payload, features);
  else exceptionFeatures(record.payload, features);
  if (![...features.keys()].some((name) => name.startsWith('token:'))) features.set('no_text', 1);
  return features;
}
