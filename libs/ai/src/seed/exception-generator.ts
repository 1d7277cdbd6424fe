import type { ProblemCode } from '@refinery/contracts';
import {
  CARRIERS,
  CITIES,
  EXCEPTION_VOCABULARY,
  HUBS,
  type ExceptionVocabulary,
} from './exception-phrases';
import { fill, roughen, sentences } from './noise';
import { Rng } from './prng';
import {
  COMPANIONS,
  SCENARIO_PROBLEM,
  SUBTYPES,
  type CaseFacts,
  type GeneratedRecord,
  type ReportedBy,
  type Scenario,
  type Subtype,
} from './scenarios';

const DAY_MS = 86_400_000;

const SCENARIO_WEIGHTS: readonly (readonly [Scenario, number])[] = [
  ['damage', 16],
  ['missing', 13],
  ['delay', 20],
  ['address', 12],
  ['stockout', 8],
  ['payment', 7],
  ['request', 12],
  ['vague', 12],
];

const REPORTERS: Record<Scenario, readonly (readonly [ReportedBy, number])[]> = {
  damage: [
    ['customer', 6],
    ['warehouse', 2],
    ['carrier', 1],
  ],
  missing: [
    ['customer', 6],
    ['warehouse', 1],
    ['system', 1],
  ],
  delay: [
    ['carrier', 3],
    ['system', 3],
    ['customer', 4],
  ],
  address: [
    ['carrier', 6],
    ['customer', 2],
    ['system', 1],
  ],
  stockout: [
    ['warehouse', 5],
    ['system', 3],
    ['customer', 1],
  ],
  payment: [
    ['system', 5],
    ['customer', 3],
  ],
  request: [
    ['customer', 9],
    ['system', 1],
  ],
  vague: [
    ['system', 3],
    ['carrier', 2],
    ['customer', 2],
    ['warehouse', 1],
  ],
};

function trackingNumber(carrier: string, rng: Rng): string {
  const digits = '0123456789';
  if (carrier === 'UPS') return `1Z${rng.code(16)}`;
  if (carrier === 'DHL') return rng.code(10, digits);
  if (carrier === 'DPD' || carrier === 'GLS') return rng.code(14, digits);
  return `${rng.code(2, 'ABCDEFGHJKLMNPRSTUVWXYZ')}${rng.code(9, digits)}${rng.pick(['DE', 'GB', 'NL', 'FR', 'US'])}`;
}

function subtypeOf(scenario: Scenario, rng: Rng): Subtype | undefined {
  return scenario in SUBTYPES ? rng.pick(SUBTYPES[scenario as keyof typeof SUBTYPES]) : undefined;
}

function corePhrase(
  phrases: ExceptionVocabulary['phrases'],
  scenario: Scenario,
  subtype: Subtype | undefined,
  rng: Rng,
): string {
  const core = phrases[scenario].core;
  return rng.pick((subtype && core[subtype]) || core.any || []);
}

/** One delivery exception; `words` sets the phrasing, never the facts or the fields. */
export function generateException(
  rng: Rng,
  index: number,
  words: ExceptionVocabulary = EXCEPTION_VOCABULARY,
): GeneratedRecord {
  const primary = rng.weighted(SCENARIO_WEIGHTS);
  const companion = rng.chance(0.25) ? rng.pick(COMPANIONS[primary]) : undefined;
  const scenarios = companion ? [primary, companion] : [primary];
  const subtypes: CaseFacts['subtypes'] = {};
  for (const scenario of scenarios) {
    const subtype = subtypeOf(scenario, rng);
    if (subtype) subtypes[scenario] = subtype;
  }

  const late = scenarios.includes('delay');
  const daysLate = late ? rng.int(1, 20) : rng.int(-6, 0);
  // A late companion is sometimes only visible in the dates, never in the words.
  const lateClause = companion !== 'delay' || rng.chance(0.6);
  const hasPromise = (late && !lateClause) || rng.chance(0.75);
  const reportedBy = rng.chance(0.92) ? rng.weighted(REPORTERS[primary]) : undefined;
  const carrier = rng.chance(0.85) ? rng.pick(CARRIERS) : undefined;
  const tracking = carrier && rng.chance(0.8) ? trackingNumber(carrier, rng) : undefined;
  const refundable = ['damage', 'missing', 'delay', 'stockout'].includes(primary);
  const wantsRefund = refundable && rng.chance(0.2);
  const repeat = rng.chance(0.06);

  const n = rng.int(1, 3);
  const slots: Record<string, string> = {
    carrier: carrier ?? rng.pick(CARRIERS),
    tracking: tracking ?? trackingNumber(rng.pick(CARRIERS), rng),
    item: rng.pick(words.items),
    n: String(n),
    m: String(n + rng.int(1, 4)),
    days: String(late ? daysLate : rng.int(2, 9)),
    hub: rng.pick(HUBS),
    city: rng.pick(CITIES),
    amount: `${rng.int(2, 80)}.${rng.int(10, 99)} EUR`,
    ticket: `#${rng.int(1000, 99999)}`,
  };

  const parts: string[] = [];
  if (rng.chance(0.2)) parts.push(rng.pick(words.openers));
  parts.push(corePhrase(words.phrases, primary, subtypes[primary], rng));
  if (companion && (companion !== 'delay' || lateClause)) {
    parts.push(rng.pick(words.phrases[companion].clause));
  }
  if (rng.chance(0.15)) parts.push(rng.pick(words.distractors));
  if (wantsRefund) parts.push(rng.pick(words.refundWishes));
  if (repeat) parts.push(rng.pick(words.repeatMarkers));
  if (rng.chance(0.35)) parts.push(rng.pick(words.fillers));
  if (rng.chance(0.2)) parts.push(rng.pick(words.closers));
  const description = roughen(sentences(parts.map((part) => fill(part, slots))), rng);

  const reportedAt = Date.UTC(2025, 0, 1) + rng.int(0, 300) * DAY_MS + rng.int(0, 86_399) * 1000;
  const payload: Record<string, unknown> = {
    order_number: `SO-${100_000 + index}`,
    description,
    reported_at: new Date(reportedAt).toISOString(),
  };
  if (carrier) payload.carrier = carrier;
  if (tracking) payload.tracking_number = tracking;
  if (reportedBy) payload.reported_by = reportedBy;
  if (rng.chance(words.kindShare)) {
    // Reporters pick the wrong kind about a quarter of the time.
    const claimed = rng.chance(0.72) ? primary : rng.weighted(SCENARIO_WEIGHTS);
    payload.reported_kind = rng.pick(words.phrases[claimed].kinds);
  }
  if (hasPromise) payload.promised_at = new Date(reportedAt - daysLate * DAY_MS).toISOString();

  const problems = [
    ...new Set(scenarios.map((s) => SCENARIO_PROBLEM[s]).filter((p): p is ProblemCode => !!p)),
  ];
  return {
    payload,
    facts: {
      recordType: 'exception',
      problems,
      subtypes,
      reportedBy,
      daysLate: late ? daysLate : undefined,
      wantsRefund,
      repeat,
    },
  };
}
