import {
  EVENTS,
  filterOf,
  filterOfAll,
  subjectOf,
  type EventName,
  type EventParty,
} from '../events';
import { TenantSlugSchema } from '../records/record-types';
import { STREAMS, type StreamName } from '../streams';

/** What one NATS user may publish and subscribe to; anything else the server refuses. */
export interface NatsPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

export interface NatsUser {
  readonly name: string;
  /** The environment variable nats-server reads the user's password from. */
  readonly passwordVariable: string;
  readonly account: 'REFINERY' | 'SYS';
  readonly kind: 'service' | 'tenant-publisher' | 'tenant-subscriber' | 'system';
  /** For tenant users: the slug their subjects carry. */
  readonly tenant?: string;
  /** Unrestricted only for the system user, which sees server events and nothing of the platform. */
  readonly permissions?: NatsPermissions;
  /** What the user is for, written above it in the configuration. */
  readonly description: string;
}

const JS_API = '$JS.API';
/** The prefix a tenant's client gives its reply subjects (`inboxPrefix` in nats.js). */
export const tenantInboxPrefix = (tenant: string) => `_INBOX_${tenant}`;
/** The system account's user: server events and monitoring, nothing of the platform. */
export const SYSTEM_USER = 'sys';

/** `REFINERY_NATS_ORDER_ANALYSIS_PASSWORD` for user `order-analysis`. */
export const natsPasswordVariable = (user: string) =>
  `REFINERY_NATS_${user.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PASSWORD`;

/**
 * Every service named in the event map, publishers first. A service added to the map (as a
 * publisher or subscriber of some event) gets its NATS user from that alone.
 */
export function natsServices(): string[] {
  const events = Object.values(EVENTS);
  const names = new Set<string>();
  for (const party of events.flatMap((def) => def.publishers)) names.add(party.service);
  for (const party of events.flatMap((def) => def.subscribers)) names.add(party.service);
  return [...names];
}

/** The subject an event has for one party: its pinned tokens filled in, the others `*`. */
const subjectFor = (name: EventName, party: EventParty) => filterOf(name, party.params);

interface Reading {
  readonly stream: StreamName;
  readonly filter: string;
}

const shapeOf = (stream: StreamName, subject: string) => `${stream}:${subject.split('.').length}`;

function readingsOf(service: string): Reading[] {
  const covering = coveringReadings(service);
  const covered = new Set(covering.map((r) => shapeOf(r.stream, r.filter)));
  const readings: Reading[] = [];
  for (const [name, def] of Object.entries(EVENTS) as [EventName, (typeof EVENTS)[EventName]][]) {
    if (covered.has(shapeOf(def.stream, def.subject))) continue;
    for (const party of def.subscribers) {
      if (party.service === service)
        readings.push({ stream: def.stream, filter: subjectFor(name, party) });
    }
  }
  return [...readings, ...covering];
}

/**
 * A service that reads every event of one shape in a stream, with no token pinned, may read
 * them all through one consumer: `enrichment.*.*.*` for the quality monitor's stage events.
 */
function coveringReadings(service: string): Reading[] {
  const shapes = new Map<string, { stream: StreamName; names: EventName[]; all: boolean }>();
  for (const [name, def] of Object.entries(EVENTS) as [EventName, (typeof EVENTS)[EventName]][]) {
    const key = shapeOf(def.stream, def.subject);
    const shape = shapes.get(key) ?? { stream: def.stream, names: [], all: true };
    const party = def.subscribers.find((p) => p.service === service);
    shape.all &&= party !== undefined && Object.keys(party.params ?? {}).length === 0;
    shape.names.push(name);
    shapes.set(key, shape);
  }
  return [...shapes.values()]
    .filter((shape) => shape.all && shape.names.length > 1)
    .map((shape) => ({ stream: shape.stream, filter: filterOfAll(shape.names) }));
}

const unique = (values: string[]) => [...new Set(values)];

/**
 * Every service creates and updates every stream at start (ensureStreams), then reads its
 * durable consumers: it may create one only with a filter the event map lets it read.
 */
function jetStreamGrants(service: string, readings: Reading[]): string[] {
  const streams = Object.values(STREAMS).map((s) => s.name);
  const consumed = unique(readings.map((r) => r.stream));
  return [
    `${JS_API}.INFO`,
    ...streams.flatMap((s) =>
      ['INFO', 'CREATE', 'UPDATE'].map((op) => `${JS_API}.STREAM.${op}.${s}`),
    ),
    ...readings.map((r) => `${JS_API}.CONSUMER.CREATE.${r.stream}.*.${r.filter}`),
    ...consumed.flatMap((s) => [
      `${JS_API}.CONSUMER.INFO.${s}.*`,
      `${JS_API}.CONSUMER.MSG.NEXT.${s}.*`,
      `$JS.ACK.${s}.>`,
    ]),
    ...serviceExtras(service),
  ];
}

/**
 * Every subject some service's durable consumer reads: where a dead letter can come from, and
 * so where the operator's replay of it goes back to (services/ingestion/src/dlq).
 */
export function dlqReplaySubjects(): string[] {
  return unique(natsServices().flatMap((service) => readingsOf(service).map((r) => r.filter)));
}

/** JetStream calls a service makes beyond its own consumers, with the reason. */
function serviceExtras(service: string): string[] {
  const extras: Record<string, string[]> = {
    ingestion: [
      // Makes each new tenant's subscriber durable (services/ingestion/src/admin/tenant-consumers.ts).
      ...eventsFor('subscribe').flatMap((name) => {
        const { stream, filterSubject } = tenantConsumerOf('*', name);
        return [
          `${JS_API}.CONSUMER.INFO.${stream}.*`,
          `${JS_API}.CONSUMER.CREATE.${stream}.*.${filterSubject}`,
        ];
      }),
      // The operator's dead letters (`npm run admin -- dlq`, /v1/admin/dlq): read by sequence,
      // removed one by one when purged, and replayed to the subject they were read from.
      `${JS_API}.STREAM.MSG.GET.${STREAMS.DLQ.name}`,
      `${JS_API}.STREAM.MSG.DELETE.${STREAMS.DLQ.name}`,
      ...dlqReplaySubjects(),
    ],
    'quality-monitor': [
      // Retires the durables it no longer reads at start (services/quality-monitor/src/app.module.ts).
      `${JS_API}.CONSUMER.DELETE.${STREAMS.RECORDS.name}.quality-monitor-rules`,
      `${JS_API}.CONSUMER.DELETE.${STREAMS.ENRICHMENT.name}.quality-monitor-completed`,
      // Reads a record's input back by sequence to drive it again (reprocess/stored-inputs.ts).
      ...[STREAMS.RECORDS, STREAMS.ENRICHMENT].map((s) => `${JS_API}.STREAM.MSG.GET.${s.name}`),
    ],
  };
  return extras[service] ?? [];
}

export function servicePermissions(service: string): NatsPermissions {
  const produced = (Object.entries(EVENTS) as [EventName, (typeof EVENTS)[EventName]][]).flatMap(
    ([name, def]) =>
      def.publishers.filter((p) => p.service === service).map((p) => subjectFor(name, p)),
  );
  const readings = readingsOf(service);
  const deadLetters = readings.length > 0 ? [subjectOf('dlq', { service })] : [];
  return {
    publish: unique([...produced, ...deadLetters, ...jetStreamGrants(service, readings)]),
    subscribe: unique(['_INBOX.>', ...readings.map((r) => r.filter)]),
  };
}

const eventsFor = (access: 'publish' | 'subscribe') =>
  (Object.keys(EVENTS) as EventName[]).filter((name) => EVENTS[name].tenantAccess === access);

/** A tenant's durable consumer on one of its events, e.g. `acme-enrichment-completed`. */
export function tenantConsumerOf(tenant: string, event: EventName = 'enrichment.completed') {
  return {
    stream: STREAMS[EVENTS[event].stream].name,
    durable: `${tenant}-${event.replace(/\./g, '-')}`,
    filterSubject: filterOf(event, { tenant }),
  };
}

/** `<tenant>-publisher`: sends its own events in, and reads only its own replies. */
export function tenantPublisherPermissions(tenant: string): NatsPermissions {
  return {
    publish: eventsFor('publish').map((name) => filterOf(name, { tenant })),
    subscribe: [`${tenantInboxPrefix(tenant)}.>`],
  };
}

/**
 * `<tenant>-subscriber`: reads its own events through its own durable pull consumer, which
 * ingestion makes when the tenant is created. It may not create one itself: NATS 2.9 does not
 * check a push consumer's deliver subject against its creator's permissions.
 */
export function tenantSubscriberPermissions(tenant: string): NatsPermissions {
  const publish = eventsFor('subscribe').flatMap((name) => {
    const { stream, durable } = tenantConsumerOf(tenant, name);
    return [
      `${JS_API}.CONSUMER.INFO.${stream}.${durable}`,
      `${JS_API}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
      `$JS.ACK.${stream}.${durable}.>`,
    ];
  });
  return { publish, subscribe: [`${tenantInboxPrefix(tenant)}.>`] };
}

/** Every user of the server for these tenants, with the variable holding its password. */
export function natsUsers(tenants: readonly string[]): NatsUser[] {
  for (const tenant of tenants) {
    const slug = TenantSlugSchema.safeParse(tenant);
    if (!slug.success)
      throw new Error(`"${tenant}" is not a tenant slug: ${slug.error.issues[0]?.message}`);
  }
  const users: NatsUser[] = [
    ...natsServices().map((service): NatsUser => ({
      name: service,
      passwordVariable: natsPasswordVariable(service),
      account: 'REFINERY',
      kind: 'service',
      permissions: servicePermissions(service),
      description: `service ${service}`,
    })),
    ...unique([...tenants]).flatMap((tenant): NatsUser[] => [
      {
        name: `${tenant}-publisher`,
        passwordVariable: natsPasswordVariable(`${tenant}-publisher`),
        account: 'REFINERY',
        kind: 'tenant-publisher',
        tenant,
        permissions: tenantPublisherPermissions(tenant),
        description: `tenant ${tenant}: sends events in (client inboxPrefix "${tenantInboxPrefix(tenant)}")`,
      },
      {
        name: `${tenant}-subscriber`,
        passwordVariable: natsPasswordVariable(`${tenant}-subscriber`),
        account: 'REFINERY',
        kind: 'tenant-subscriber',
        tenant,
        permissions: tenantSubscriberPermissions(tenant),
        description: `tenant ${tenant}: reads its completed records through durable "${tenantConsumerOf(tenant).durable}" (client inboxPrefix "${tenantInboxPrefix(tenant)}")`,
      },
    ]),
    {
      name: SYSTEM_USER,
      passwordVariable: natsPasswordVariable(SYSTEM_USER),
      account: 'SYS',
      kind: 'system',
      description: 'system account: server events and monitoring',
    },
  ];
  const byVariable = new Map<string, string>();
  for (const user of users) {
    const clash = byVariable.get(user.passwordVariable);
    if (clash)
      throw new Error(`users ${clash} and ${user.name} would share ${user.passwordVariable}`);
    byVariable.set(user.passwordVariable, user.name);
  }
  return users;
}
