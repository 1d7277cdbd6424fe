import { z } from 'zod';
import { stringify } from 'yaml';
import { EVENTS, type EventDefinition, type EventName, type EventParty } from '../events';
import { STREAMS } from '../streams';

const HEADERS = {
  type: 'object',
  properties: {
    'Nats-Msg-Id': {
      type: 'string',
      description: 'Deterministic id: JetStream drops a republish within the duplicate window',
    },
    traceparent: { type: 'string', description: 'W3C trace context of the publishing span' },
  },
};

const DLQ_HEADERS = {
  type: 'object',
  properties: {
    'Refinery-Dlq-Reason': { type: 'string' },
    'Refinery-Dlq-Subject': {
      type: 'string',
      description: 'The subject the message was first published on',
    },
    'Refinery-Dlq-Stream': { type: 'string' },
    'Refinery-Dlq-Sequence': {
      type: 'string',
      description: 'Stream sequence of the original message',
    },
    'Refinery-Dlq-Deliveries': { type: 'string', description: 'How many times it was delivered' },
    'Refinery-Dlq-Service': { type: 'string' },
    'Refinery-Dlq-Consumer': { type: 'string' },
  },
};

function payloadSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    target: 'draft-7',
    unrepresentable: 'any',
    io: 'input',
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const parametersOf = (subject: string) =>
  Object.fromEntries(
    [...subject.matchAll(/\{(\w+)\}/g)].map(([, name]) => [
      name,
      { description: `the ${name} subject token` },
    ]),
  );

const services = (parties: readonly EventParty[]) => [...new Set(parties.map((p) => p.service))];

/** Who publishes and who reads an event, as the map's parties and tenant access say. */
function partiesOf(def: EventDefinition): { producers: string[]; consumers: string[] } {
  const tenants = (access: 'publish' | 'subscribe', who: string) =>
    def.tenantAccess === access ? [`${who} (each tenant's own NATS user)`] : [];
  return {
    producers: [
      ...services(def.publishers),
      ...tenants('publish', 'upstream systems'),
      ...(def.outside?.publishers ?? []),
    ],
    consumers: [
      ...services(def.subscribers),
      ...tenants('subscribe', 'downstream teams'),
      ...(def.outside?.readers ?? []),
    ],
  };
}

const listed = (names: string[]) =>
  names.length > 0 ? names.join(', ') : 'nothing in Refinery yet';

/** The AsyncAPI 3 document, generated from the event map: nothing here is written by hand. */
export function buildAsyncApi(version: string): string {
  const names = Object.keys(EVENTS) as EventName[];
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const name of names) {
    const def: EventDefinition = EVENTS[name];
    const { producers, consumers } = partiesOf(def);
    const action = def.tenantAccess === 'publish' ? 'receive' : 'send';
    channels[name] = {
      address: def.subject,
      title: name,
      description: `${def.summary}. Stream ${def.stream}. Produced by ${listed(producers)}; consumed by ${listed(consumers)}.`,
      parameters: parametersOf(def.subject),
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
      'x-jetstream-stream': def.stream,
    };
    operations[`${action}-${name}`] = {
      action,
      channel: { $ref: `#/channels/${name}` },
      summary: def.summary,
    };
    messages[name] = {
      name,
      contentType: 'application/json',
      headers: name === 'dlq' ? DLQ_HEADERS : HEADERS,
      payload: payloadSchema(def.schema),
    };
  }
  const doc = {
    asyncapi: '3.0.0',
    info: {
      title: 'Refinery events',
      version,
      description:
        'Subjects, streams and payloads on the Refinery NATS JetStream bus. Generated from libs/contracts by `npm run asyncapi`.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:4222', protocol: 'nats', description: 'NATS with JetStream' },
    },
    channels,
    operations,
    components: { messages },
    'x-jetstream-streams': Object.values(STREAMS).map((s) => ({
      name: s.name,
      subjects: s.subjects,
      description: s.description,
    })),
  };
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}
