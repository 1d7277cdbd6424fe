import { subjectOf } from '@refinery/contracts';
import {
  BodyRules,
  FieldRule,
  FuzzRequest,
  HostileBody,
  hostileBodies,
  hostileHttpRequests,
  HttpTarget,
} from '@refinery/testing';
import fc from 'fast-check';

/** Events as ingestion's schemas (libs/contracts) define them, valid and hostile. */
export type RecordKind = 'order' | 'exception' | 'transcript';
const KINDS: readonly RecordKind[] = ['order', 'exception', 'transcript'];

// Graphemes may take several UTF-16 units: counts stay well under each schema's limit.
const text = (maxLength: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength });
const money = fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true });
const isoTime = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z') })
  .filter((d) => !Number.isNaN(d.getTime()))
  .map((d) => d.toISOString());
const extras = fc.dictionary(fc.stringMatching(/^x_[a-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), {
  maxKeys: 3,
});

const orderData = fc
  .tuple(
    fc.record(
      {
        order_number: text(10),
        customer: fc.record(
          {
            id: text(10),
            email: fc.stringMatching(/^[a-z0-9]{1,20}@[a-z]{1,10}\.(com|org|de)$/),
            name: text(40),
          },
          { requiredKeys: ['id'] },
        ),
        items: fc.array(
          fc.record(
            {
              sku: text(10),
              quantity: fc.integer({ min: 1, max: 1000 }),
              unit_price: money,
              name: text(40),
            },
            { requiredKeys: ['sku', 'quantity', 'unit_price'] },
          ),
          { minLength: 1, maxLength: 3 },
        ),
        currency: fc.constantFrom('EUR', 'USD', 'GBP'),
        total: money,
        status: fc.constantFrom('placed', 'paid', 'shipped', 'returned'),
        placed_at: isoTime,
        notes: text(300),
      },
      { requiredKeys: ['order_number', 'customer', 'items', 'currency', 'total', 'status'] },
    ),
    extras,
  )
  .map(([data, more]) => ({ ...more, ...data }));

const exceptionData = fc
  .tuple(
    fc.record(
      {
        order_number: text(10),
        description: text(300),
        carrier: text(10),
        reported_by: fc.constantFrom('carrier', 'customer', 'warehouse', 'system'),
        reported_at: isoTime,
      },
      { requiredKeys: ['order_number', 'description'] },
    ),
    extras,
  )
  .map(([data, more]) => ({ ...more, ...data }));

/** A call or chat, turn by turn (always some turns, so each turn's fields can be made hostile). */
const transcriptData = fc
  .tuple(
    fc.record(
      {
        order_number: text(10),
        channel: fc.constantFrom('phone', 'chat', 'email', 'social'),
        text: text(300),
        turns: fc.array(
          fc.record(
            {
              speaker: fc.constantFrom('customer', 'agent', 'system'),
              text: text(100),
              at: isoTime,
            },
            { requiredKeys: ['speaker', 'text'] },
          ),
          { minLength: 1, maxLength: 3 },
        ),
        language: fc.constantFrom('en', 'de', 'pt-BR', 'en-GB'),
        customer_id: text(10),
      },
      { requiredKeys: ['order_number', 'channel', 'text', 'turns'] },
    ),
    // A call ends when or after it starts.
    fc.option(
      fc.tuple(isoTime, isoTime).map((times) => times.sort()),
      { nil: undefined },
    ),
    extras,
  )
  .map(([data, times, more]) => ({
    ...more,
    ...data,
    ...(times && { started_at: times[0], ended_at: times[1] }),
  }));

const dataOf: Record<RecordKind, fc.Arbitrary<Record<string, unknown>>> = {
  order: orderData,
  exception: exceptionData,
  transcript: transcriptData,
};

/** A valid event of `type`, with an external id no other event has; `withType: false` for NATS. */
export const validEvent = (type: RecordKind, withType: boolean) =>
  fc
    .record({
      source: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/),
      // Unbiased: a biased generator repeats its favourite uuids, and a repeat is a duplicate.
      external_id: fc.noBias(fc.uuid()).map((id) => `fz-${id}`),
      occurred_at: isoTime,
      data: dataOf[type],
    })
    .map((event): Record<string, unknown> => (withType ? { type, ...event } : event));

const field = (path: string, type: FieldRule['type'], maxLength?: number, required = false) => ({
  path: path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
  type,
  maxLength,
  required,
});

/** What the schemas in libs/contracts ask of each field (`type` only over HTTP). */
export function rulesOf(type: RecordKind, withType: boolean): BodyRules {
  const envelope = [
    ...(withType ? [field('type', 'string', undefined, true)] : []),
    field('source', 'string', 100, true),
    field('external_id', 'string', 200, true),
    field('occurred_at', 'string', 64, true),
    field('data', 'object', undefined, true),
    field('data.order_number', 'string', 100, true),
  ];
  if (type === 'transcript') {
    return {
      fields: [
        ...envelope,
        field('data.channel', 'string', undefined, true),
        field('data.text', 'string', 50_000, true),
        field('data.turns', 'array'),
        field('data.turns.0.speaker', 'string', undefined, true),
        field('data.turns.0.text', 'string', 10_000, true),
        field('data.turns.0.at', 'string', 64),
        field('data.language', 'string', 35),
        field('data.customer_id', 'string', 100),
        field('data.started_at', 'string', 64),
        field('data.ended_at', 'string', 64),
      ],
      openObjects: [[], ['data'], ['data', 'turns', 0]],
    };
  }
  if (type === 'exception') {
    return {
      fields: [
        ...envelope,
        field('data.description', 'string', 10_000, true),
        field('data.carrier', 'string', 100),
        field('data.tracking_number', 'string', 100),
        field('data.reported_kind', 'string', 100),
        field('data.reported_at', 'string', 64),
      ],
      openObjects: [[], ['data']],
    };
  }
  return {
    fields: [
      ...envelope,
      field('data.customer', 'object', undefined, true),
      field('data.customer.id', 'string', 100, true),
      field('data.customer.email', 'string', 320),
      field('data.customer.name', 'string', 500),
      field('data.items', 'array', undefined, true),
      field('data.items.0.sku', 'string', 100, true),
      field('data.items.0.quantity', 'number', undefined, true),
      field('data.items.0.unit_price', 'number', undefined, true),
      field('data.items.0.name', 'string', 500),
      field('data.currency', 'string', undefined, true),
      field('data.total', 'number', undefined, true),
      field('data.status', 'string', undefined, true),
      field('data.notes', 'string', 10_000),
      field('data.placed_at', 'string', 64),
    ],
    openObjects: [[], ['data'], ['data', 'customer']],
  };
}

/** Events to send over HTTP (with `type`) or NATS (where the subject names it). */
export const bodiesOf = (withType: boolean) =>
  fc.oneof(
    ...KINDS.map((type) => hostileBodies(validEvent(type, withType), rulesOf(type, withType))),
  );

/** A batch of events, some hostile: the answer is judged event by event. */
export type BatchRequest = FuzzRequest & { events: HostileBody[] };

/** Single events (hostile or valid) as a client may send them, and batches mixing both. */
export function httpCases(target: HttpTarget): fc.Arbitrary<FuzzRequest | BatchRequest> {
  const batch = fc
    .array(
      bodiesOf(true).filter((b) => b.bytes === undefined),
      { minLength: 1, maxLength: 8 },
    )
    .map((events): BatchRequest => ({
      kind: 'batch',
      method: target.method,
      path: target.path,
      headers: { 'content-type': 'application/json', [target.keyHeader]: target.key },
      body: JSON.stringify({ events: events.map((e) => e.json) }),
      refuse: events.every((e) => e.refuse),
      events,
    }));
  return fc.oneof(
    { weight: 6, arbitrary: hostileHttpRequests(bodiesOf(true), target) },
    { weight: 1, arbitrary: batch },
  );
}

export interface NatsCase {
  kind: string;
  subject: string;
  payload: Uint8Array | string;
  refuse: boolean;
  /** The event sent, when it is JSON. */
  event?: unknown;
  /** Rejected under the subject's tenant token, which names no tenant. */
  ghost: boolean;
}

/**
 * Messages to `ingest.<tenant>.<type>`: hostile and valid bodies, some under a type that does
 * not exist or for a tenant that does not, some whose body names the other type.
 */
export function natsCases(tenant: string, ghost: string): fc.Arbitrary<NatsCase> {
  const body = (type: RecordKind) =>
    hostileBodies(validEvent(type, false), rulesOf(type, false)).map((b) => ({ ...b, type }));
  return fc
    .tuple(
      fc.oneof(...KINDS.map(body)),
      fc.constantFrom('as-is', 'as-is', 'as-is', 'as-is', 'unknown-type', 'type-in-body', 'ghost'),
    )
    .map(([b, how]): NatsCase => {
      const sent = {
        kind: b.kind,
        subject: subjectOf('ingest', { tenant, type: b.type }),
        payload: b.bytes ?? JSON.stringify(b.json),
        refuse: b.refuse,
        event: b.json,
        ghost: false,
      };
      if (how === 'unknown-type')
        return {
          ...sent,
          kind: `${b.kind}, as an invoice`,
          subject: subjectOf('ingest', { tenant, type: 'invoice' }),
          refuse: true,
        };
      if (how === 'ghost')
        return {
          ...sent,
          kind: `${b.kind}, for no tenant`,
          subject: subjectOf('ingest', { tenant: ghost, type: b.type }),
          refuse: true,
          ghost: true,
        };
      if (
        how === 'type-in-body' &&
        typeof b.json === 'object' &&
        b.json !== null &&
        !Array.isArray(b.json)
      ) {
        const other = b.type === 'order' ? 'exception' : 'order';
        return {
          ...sent,
          kind: `${b.kind}, saying ${other}`,
          payload: JSON.stringify({ type: other, ...b.json }),
          refuse: true,
        };
      }
      return sent;
    });
}
