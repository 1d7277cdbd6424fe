import type { ProblemCode, RecordInput } from '../provider';

/** A rule that matched a record; `id` is what explanations and rationales name. */
export interface FiredRule {
  id: string;
  code: ProblemCode;
  confidence: number;
}

interface Rule {
  id: string;
  code: ProblemCode;
  /** Fixed, so the same record always gets the same answer. */
  confidence: number;
  matches(record: RecordInput, now: Date): boolean;
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The free text a person wrote about the record: what keyword rules read. */
function freeText(record: RecordInput): string {
  const p = record.payload;
  const parts = record.recordType === 'exception' ? [p.description, p.reported_kind] : [p.notes];
  return parts.map(str).join('\n').toLowerCase();
}

const keywordRule = (id: string, code: ProblemCode, confidence: number, pattern: RegExp): Rule => ({
  id,
  code,
  confidence,
  matches: (record) => pattern.test(freeText(record)),
});

// Terminal states: a passed promise date no longer means the parcel is late.
const SETTLED = new Set(['delivered', 'cancelled', 'returned']);

function promisePassed(record: RecordInput, now: Date): boolean {
  if (record.recordType !== 'order' || SETTLED.has(str(record.payload.status))) return false;
  const promised = Date.parse(str(field(record.payload.shipping, 'promised_at')));
  return Number.isFinite(promised) && promised < now.getTime();
}

/** Items summing to more than the charged total: a discount or an undercharge; worth a look. */
function totalBelowItems(record: RecordInput): boolean {
  if (record.recordType !== 'order') return false;
  const { items, total } = record.payload;
  if (!Array.isArray(items) || typeof total !== 'number') return false;
  const sum = items.reduce<number>((acc, item) => {
    const quantity = field(item, 'quantity');
    const price = field(item, 'unit_price');
    return typeof quantity === 'number' && typeof price === 'number' ? acc + quantity * price : acc;
  }, 0);
  return sum - total > 0.01;
}

/** Every rule, in the order explanations list ties. */
export const PROBLEM_RULES: readonly Rule[] = [
  keywordRule(
    'damage-keywords',
    'DAMAGE_REPORTED',
    0.85,
    /\b(damaged?|broken|crushed|smashed|cracked|dented|shattered|torn|leak(ed|ing)?)\b/,
  ),
  keywordRule(
    'missing-keywords',
    'MISSING_ITEM',
    0.8,
    /\b(missing|lost|never (arrived|received)|not in the (box|parcel|package)|empty (box|parcel|package))\b/,
  ),
  { id: 'promised-at-passed', code: 'LATE_SHIPMENT', confidence: 0.9, matches: promisePassed },
  keywordRule(
    'delay-keywords',
    'LATE_SHIPMENT',
    0.75,
    /\b(delay(ed|s)?|late|overdue|stuck|not (yet )?(arrived|delivered))\b/,
  ),
  // Specific address parts outrank a bare "missing": "house number missing" is an address issue.
  keywordRule(
    'address-detail-keywords',
    'ADDRESS_INVALID',
    0.85,
    /\b(house number|street number|postcode|post code|postal code|zip code|undeliverable|unknown recipient|recipient unknown)\b/,
  ),
  keywordRule('address-keywords', 'ADDRESS_INVALID', 0.7, /\baddress\b/),
  keywordRule(
    'stock-keywords',
    'STOCKOUT_RISK',
    0.75,
    /\b(out of stock|stockout|sold out|back-?order(ed)?|no stock|insufficient stock)\b/,
  ),
  keywordRule(
    'payment-keywords',
    'PAYMENT_MISMATCH',
    0.7,
    /\b(payment|charged (twice|double)|double[- ]charged|overcharged|chargeback|invoice)\b/,
  ),
  { id: 'total-below-items', code: 'PAYMENT_MISMATCH', confidence: 0.5, matches: totalBelowItems },
  keywordRule(
    'customer-request-keywords',
    'CUSTOMER_REQUEST',
    0.65,
    /\b(cancel(l?ed|lation)?|exchange|customer (asks|asked|requests|requested|wants))\b/,
  ),
];

export function fireRules(record: RecordInput, now: Date): FiredRule[] {
  return PROBLEM_RULES.filter((rule) => rule.matches(record, now)).map(
    ({ id, code, confidence }) => ({ id, code, confidence }),
  );
}
