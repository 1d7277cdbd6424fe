import { SCHEMA_VERSION } from './envelope';
import { subjectOf, type EventName, type EventPayload, type SubjectParams } from './events';

/** The events that travel in the envelope: all but upstream's ingest messages and the DLQ. */
export type EnvelopedEvent = {
  [E in EventName]: EventPayload<E> extends { schema_version: number } ? E : never;
}[EventName];

/** An envelope without what the event's name decides (`type`, `schema_version`). */
export type EnvelopeFields<E extends EnvelopedEvent> = Omit<
  EventPayload<E>,
  'type' | 'schema_version'
>;

/** The subject's params besides the tenant, which is the envelope's unless given. */
export type EventParamsArg<E extends EnvelopedEvent> =
  Exclude<keyof SubjectParams<E>, 'tenant'> extends never
    ? [params?: Partial<SubjectParams<E>>]
    : [params: Omit<SubjectParams<E>, 'tenant'> & Partial<SubjectParams<E>>];

/** What a publisher needs; the envelope id is the `Nats-Msg-Id`. */
export interface OutgoingEvent<E extends EnvelopedEvent> {
  subject: string;
  msgId: string;
  payload: EventPayload<E>;
}

interface Fields {
  id: string;
  tenant: string;
  occurred_at: string;
  record_id: string | null;
  data: unknown;
}

/**
 * An event ready to publish: its envelope, subject and `Nats-Msg-Id`. The id is both the
 * envelope's and the message's, so give a deterministic one: JetStream stores a republish once.
 */
export function eventOf<E extends EnvelopedEvent>(
  name: E,
  fields: EnvelopeFields<E>,
  ...[params]: EventParamsArg<E>
): OutgoingEvent<E> {
  const { id, tenant, occurred_at, record_id, data } = fields as unknown as Fields;
  const payload = {
    id,
    tenant,
    type: name,
    schema_version: SCHEMA_VERSION,
    occurred_at,
    record_id,
    data,
  } as EventPayload<E>;
  return {
    subject: subjectOf(name, { tenant, ...params } as SubjectParams<E>),
    msgId: id,
    payload,
  };
}
