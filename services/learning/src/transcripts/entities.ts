/** What a transcript mentions that a person or a model would look up: GIN-indexed as jsonb. */
export interface Entities {
  order_numbers: string[];
  tracking_numbers: string[];
  carriers: string[];
  amounts: Array<{ value: number; currency: string | null }>;
  dates: string[];
}

const CARRIERS = [
  'DHL',
  'UPS',
  'FedEx',
  'GLS',
  'DPD',
  'PostNL',
  'Hermes',
  'Royal Mail',
  'La Poste',
  'Correos',
  'USPS',
];
const CARRIER = new RegExp(
  `\\b(${CARRIERS.map((c) => c.replace(' ', '[ -]')).join('|')})\\b`,
  'gi',
);
const ORDER = /\b(?:ORD|ORDER|SO)[-#: ]?\d{3,}\b|#\d{5,}\b/gi;
const TRACKING = /\b(?:TRK[-A-Z0-9]{6,}|1Z[0-9A-Z]{16}|JJD\d{10,}|[A-Z]{2}\d{9}[A-Z]{2})\b/g;
const AMOUNT =
  /(?:(€|\$|£)\s?(\d+(?:[.,]\d{1,2})?))|(?:\b(\d+(?:[.,]\d{1,2})?)\s?(EUR|USD|GBP|euros?|dollars?|pounds?)\b)/gi;
const ISO_DATE = /\b\d{4}-\d{2}-\d{2}\b/g;
const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december';
const WORD_DATE = new RegExp(
  `\\b\\d{1,2}(?:st|nd|rd|th)? (?:${MONTHS})\\b|\\b(?:${MONTHS}) \\d{1,2}(?:st|nd|rd|th)?\\b`,
  'gi',
);

const CURRENCY: Record<string, string> = {
  '€': 'EUR',
  $: 'USD',
  '£': 'GBP',
  euro: 'EUR',
  euros: 'EUR',
  dollar: 'USD',
  dollars: 'USD',
  pound: 'GBP',
  pounds: 'GBP',
};

const unique = (values: string[]) => [...new Set(values)];

export function entitiesOf(text: string, orderNumber?: string): Entities {
  const carriers = unique(
    [...text.matchAll(CARRIER)].map(
      (m) => CARRIERS.find((c) => c.toLowerCase() === m[1].toLowerCase().replace('-', ' ')) ?? m[1],
    ),
  );
  const amounts = [...text.matchAll(AMOUNT)].map((m) => {
    const symbol = m[1] ?? m[4];
    return {
      value: Number((m[2] ?? m[3]).replace(',', '.')),
      currency: symbol ? (CURRENCY[symbol.toLowerCase()] ?? symbol.toUpperCase()) : null,
    };
  });
  return {
    order_numbers: unique([
      ...(orderNumber ? [orderNumber] : []),
      ...[...text.matchAll(ORDER)].map((m) => m[0]),
    ]),
    tracking_numbers: unique([...text.matchAll(TRACKING)].map((m) => m[0])),
    carriers,
    amounts,
    dates: unique([
      ...[...text.matchAll(ISO_DATE)].map((m) => m[0]),
      ...[...text.matchAll(WORD_DATE)].map((m) => m[0]),
    ]),
  };
}
