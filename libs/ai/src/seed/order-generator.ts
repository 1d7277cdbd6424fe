import type { ProblemCode } from '@refinery/contracts';
import { CARRIERS, CITIES, REFUND_WISHES, REPEAT_MARKERS } from './exception-phrases';
import { roughen, sentences } from './noise';
import {
  BENIGN_NOTES,
  CATALOGUE,
  COUNTRIES,
  CURRENCIES,
  ORDER_NOTES,
  STREETS,
} from './order-phrases';
import { Rng } from './prng';
import {
  SCENARIO_PROBLEM,
  SUBTYPES,
  type CaseFacts,
  type GeneratedRecord,
  type OrderStatus,
  type Scenario,
  type Subtype,
} from './scenarios';

const DAY_MS = 86_400_000;

type OrderScenario = Exclude<Scenario, 'vague'> | 'clean';

const SCENARIO_WEIGHTS: readonly (readonly [OrderScenario, number])[] = [
  ['clean', 40],
  ['delay', 13],
  ['payment', 10],
  ['stockout', 10],
  ['address', 9],
  ['request', 9],
  ['damage', 4],
  ['missing', 5],
];

const COMPANIONS: Partial<Record<OrderScenario, Scenario>> = {
  address: 'delay',
  stockout: 'delay',
  payment: 'request',
  request: 'delay',
};

const STATUSES: Record<OrderScenario, readonly (readonly [OrderStatus, number])[]> = {
  clean: [
    ['placed', 1],
    ['paid', 2],
    ['fulfilled', 1],
    ['shipped', 3],
    ['delivered', 4],
    ['returned', 0.5],
  ],
  delay: [
    ['paid', 1],
    ['fulfilled', 1],
    ['shipped', 4],
  ],
  payment: [
    ['placed', 2],
    ['paid', 3],
    ['shipped', 1],
  ],
  stockout: [
    ['placed', 2],
    ['paid', 4],
  ],
  address: [
    ['paid', 2],
    ['shipped', 3],
  ],
  request: [
    ['placed', 1],
    ['paid', 2],
    ['shipped', 2],
    ['cancelled', 1],
  ],
  damage: [
    ['returned', 3],
    ['delivered', 1],
  ],
  missing: [['delivered', 1]],
};

function money(amount: number, currency: string): number {
  return currency === 'JPY' ? Math.round(amount) : Math.round(amount * 100) / 100;
}

function noteFor(scenario: Scenario, subtype: Subtype | undefined, rng: Rng): string | undefined {
  const bank = ORDER_NOTES[scenario];
  const options = bank && ((subtype && bank[subtype]) || bank.any);
  return options ? rng.pick(options) : undefined;
}

function pickItems(rng: Rng, currency: (typeof CURRENCIES)[number], bulk: boolean) {
  const count = rng.weighted([
    [1, 5],
    [2, 3],
    [3, 2],
    [4, 1],
    [5, 1],
  ]);
  return rng
    .shuffle([...CATALOGUE])
    .slice(0, count)
    .map((product, i) => ({
      sku: product.sku,
      name: product.name,
      // A bulk line is what puts stock at risk without anyone writing it down.
      quantity:
        bulk && i === 0
          ? rng.int(15, 60)
          : rng.weighted([
              [1, 8],
              [2, 3],
              [3, 1],
            ]),
      unit_price: money(product.priceEur * currency.perEur, currency.code),
    }));
}

interface NoteFacts {
  scenarios: Scenario[];
  subtypes: CaseFacts['subtypes'];
  bulk: boolean;
  wantsRefund: boolean;
  repeat: boolean;
}

/** Staff write a note about half the time; requests and missing items only show in notes. */
function writeNotes(rng: Rng, facts: NoteFacts): string[] {
  const notes: string[] = [];
  for (const scenario of facts.scenarios) {
    const always =
      scenario === 'request' || scenario === 'missing' || (scenario === 'stockout' && !facts.bulk);
    const note = noteFor(scenario, facts.subtypes[scenario], rng);
    if (note && (always || rng.chance(0.55))) notes.push(note);
  }
  if (facts.wantsRefund) notes.push(rng.pick(REFUND_WISHES));
  if (facts.repeat) notes.push(rng.pick(REPEAT_MARKERS));
  return notes;
}

export function generateOrder(rng: Rng, index: number): GeneratedRecord {
  const primary = rng.weighted(SCENARIO_WEIGHTS);
  const companion = primary !== 'clean' && rng.chance(0.2) ? COMPANIONS[primary] : undefined;
  const scenarios: Scenario[] = primary === 'clean' ? [] : [primary];
  if (companion) scenarios.push(companion);
  const subtypes: CaseFacts['subtypes'] = {};
  for (const scenario of scenarios) {
    if (scenario in SUBTYPES)
      subtypes[scenario] = rng.pick(SUBTYPES[scenario as keyof typeof SUBTYPES]);
  }
  const late = scenarios.includes('delay');
  let status = rng.weighted(late ? STATUSES.delay : STATUSES[primary]);
  if (subtypes.request === 'cancel' && primary === 'request' && rng.chance(0.3))
    status = 'cancelled';

  const currency = rng.weighted(CURRENCIES.map((c) => [c, c.code === 'EUR' ? 5 : 1.5] as const));
  const bulk = primary === 'stockout' && rng.chance(0.6);
  const items = pickItems(rng, currency, bulk);
  const fee = money(rng.pick([0, 0, 4.99, 9.9]) * currency.perEur, currency.code);
  const expected = items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0) + fee;
  let total = expected;
  if (subtypes.payment === 'overcharged') total = expected * rng.pick([2, 1.1, 1.25, 1.4]);
  if (subtypes.payment === 'short') total = expected * (0.5 + rng.next() * 0.42);

  const placedAt = Date.UTC(2025, 0, 1) + rng.int(0, 300) * DAY_MS + rng.int(0, 86_399) * 1000;
  const express = rng.chance(0.25);
  const promisedAt = placedAt + (express ? rng.int(1, 2) : rng.int(3, 7)) * DAY_MS;
  const daysLate = late ? rng.int(2, 20) : -rng.int(0, 2);
  const seenAt = promisedAt + daysLate * DAY_MS - rng.int(0, 20_000) * 1000;

  const line1 = `${rng.pick(STREETS)} ${rng.int(1, 180)}`;
  const address: Record<string, string> = {
    line1,
    city: rng.pick(CITIES),
    postal_code: String(rng.int(10000, 99999)),
  };
  if (scenarios.includes('address')) {
    if (rng.chance(0.6)) address.line1 = line1.replace(/ \d+$/, '');
    else delete address.postal_code;
  }

  const wantsRefund =
    (primary === 'damage' || primary === 'missing' || primary === 'stockout') && rng.chance(0.2);
  const repeat = primary !== 'clean' && rng.chance(0.04);
  const notes = writeNotes(rng, { scenarios, subtypes, bulk, wantsRefund, repeat });
  if (primary === 'clean' && (status === 'returned' || rng.chance(0.35))) {
    notes.push(status === 'returned' ? 'returned: did not fit' : rng.pick(BENIGN_NOTES));
  }

  const carrier = rng.pick(CARRIERS);
  const payload: Record<string, unknown> = {
    order_number: `A-${200_000 + index}`,
    customer: {
      id: `c-${rng.int(1000, 99_999)}`,
      email: `customer${rng.int(1, 9999)}@example.com`,
    },
    items,
    currency: currency.code,
    total: money(total, currency.code),
    status,
    placed_at: new Date(placedAt).toISOString(),
    shipping: {
      method: express ? 'express' : 'standard',
      carrier,
      country: rng.pick(COUNTRIES),
      promised_at: new Date(promisedAt).toISOString(),
      fee,
      address,
    },
  };
  if (status === 'delivered') payload.delivered_at = new Date(seenAt).toISOString();
  else payload.updated_at = new Date(seenAt).toISOString();
  if (notes.length > 0) payload.notes = roughen(sentences(notes), rng, 0.03);

  const problems = scenarios.map((s) => SCENARIO_PROBLEM[s]).filter((p): p is ProblemCode => !!p);
  return {
    payload,
    facts: {
      recordType: 'order',
      problems,
      subtypes,
      status,
      daysLate: late ? daysLate : undefined,
      valueEur: expected / currency.perEur,
      wantsRefund,
      repeat,
    },
  };
}
