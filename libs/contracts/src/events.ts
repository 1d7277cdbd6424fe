import { z } from 'zod';
import { envelope } from './envelope';
import {
  STAGES,
  type StageName,
  EnrichmentCompletedSchema,
  ReviewRequestedSchema,
  StageDoneSchema,
  ReprocessRequestedSchema,
  StageEscalatedSchema,
  StageFailedSchema,
  StageRetryingSchema,
} from './enrichment/enriched-record';
import { AlertChangedSchema } from './quality/alert';
import { ExceptionSchema } from './records/exception.schema';
import { OrderSchema } from './records/order.schema';
import { IncomingEventSchema } from './records/record-types';
import { StreamName } from './streams';

/**
 * The one place where a subject, its stream and its payload schema are named.
 *
 * DO NOT RENAME an event or change its subject template without a migration plan:
 * durable consumers filter on these subjects and other teams subscribe to them.
 * `{name}` in a subject is one token, filled by `subjectOf` and matched by `filterOf`.
 */
export interface EventDefinition {
  readonly subject: string;
  readonly stream: StreamName;
  readonly schema: z.ZodType;
  readonly summary: string;
  /** Which service publishes it and who listens: documentation for the AsyncAPI file. */
  readonly producer: string;
  readonly consumers: readonly string[];
  /**
   * The services that publish it and the ones with a durable consumer on it. The NATS users
   * in deploy/nats are generated from these: a service may publish and read nothing else.
   */
  readonly publishers: readonly EventParty[];
  readonly subscribers: readonly EventParty[];
  /** What a tenant's own NATS users may do with it, on subjects carrying their slug. */
  readonly tenantAccess?: 'publish' | 'subscribe';
}

/** A service on one side of an event; `params` pins subject tokens to its own, e.g. its stage. */
export interface EventParty {
  readonly service: string;
  readonly params?: Readonly<Record<string, string>>;
}

const service = (name: string): EventParty => ({ service: name });
/** A stage publishing or reading only its own `{stage}` subjects. */
const ownStage = (stage: StageName): EventParty => ({ service: stage, params: { stage } });
/** A stage reading what the stage before it published. */
const after = (stage: StageName, previous: StageName): EventParty => ({
  service: stage,
  params: { stage: previous },
});
const QUALITY_MONITOR = service('quality-monitor');

const event = <S extends string, T extends z.ZodType>(
  def: Omit<EventDefinition, 'subject' | 'schema'> & { subject: S; schema: T },
) => def;

const RejectionSchema = z.object({
  subject: z.string(),
  reason: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
  /** The raw message as received, cut to 64 KiB. */
  payload: z.string(),
  rejection_id: z.uuid(),
});

const RecordReceivedSchema = z.discriminatedUnion('record_type', [
  z.object({
    record_type: z.literal('order'),
    source: z.string(),
    external_id: z.string(),
    received_at: z.iso.datetime({ offset: true }),
    payload: OrderSchema,
  }),
  z.object({
    record_type: z.literal('exception'),
    source: z.string(),
    external_id: z.string(),
    received_at: z.iso.datetime({ offset: true }),
    payload: ExceptionSchema,
  }),
]);

export const EVENTS = {
  ingest: event({
    subject: 'ingest.{tenant}.{type}',
    stream: 'INGEST',
    schema: IncomingEventSchema,
    summary:
      'An upstream event sent to ingestion over NATS: the HTTP event envelope, whose `type` may be left out since the subject names it',
    producer: 'upstream systems',
    consumers: ['ingestion'],
    publishers: [],
    subscribers: [service('ingestion')],
    tenantAccess: 'publish',
  }),
  'ingest.rejected': event({
    subject: 'ingest.rejected.{tenant}',
    stream: 'INGEST',
    schema: envelope('ingest.rejected', RejectionSchema),
    summary:
      'An ingest message that failed validation, with the reason; it is also kept in ingestion.rejections',
    producer: 'ingestion',
    consumers: ['upstream systems', 'quality-monitor'],
    publishers: [service('ingestion')],
    subscribers: [],
  }),
  'records.received': event({
    subject: 'records.received.{tenant}.{type}',
    stream: 'RECORDS',
    schema: envelope('records.received', RecordReceivedSchema),
    summary: 'A record was accepted and stored; enrichment starts here',
    producer: 'ingestion',
    consumers: ['order-analysis', 'quality-monitor', 'analytics'],
    publishers: [service('ingestion')],
    subscribers: [service('order-analysis'), QUALITY_MONITOR],
  }),
  'enrichment.done': event({
    subject: 'enrichment.{stage}.done.{tenant}',
    stream: 'ENRICHMENT',
    schema: envelope('enrichment.done', StageDoneSchema),
    summary:
      'A stage finished a record (COMPLETED or SKIPPED): the input with every stage report so far; the next stage starts here',
    producer: 'order-analysis, classification',
    consumers: ['classification', 'resolution', 'quality-monitor'],
    publishers: [ownStage('order-analysis'), ownStage('classification')],
    subscribers: [
      after('classification', 'order-analysis'),
      after('resolution', 'classification'),
      QUALITY_MONITOR,
    ],
  }),
  'enrichment.failed': event({
    subject: 'enrichment.{stage}.failed.{tenant}',
    stream: 'ENRICHMENT',
    schema: envelope('enrichment.failed', StageFailedSchema),
    summary:
      'A stage gave up on a record after its last retry: status FAILED, outputs NULL, the errors of every attempt; the message is also in the DLQ',
    producer: 'order-analysis, classification, resolution',
    consumers: ['quality-monitor', 'operators'],
    publishers: STAGES.map(ownStage),
    subscribers: [QUALITY_MONITOR],
  }),
  'enrichment.retrying': event({
    subject: 'enrichment.{stage}.retrying.{tenant}',
    stream: 'ENRICHMENT',
    schema: envelope('enrichment.retrying', StageRetryingSchema),
    summary:
      'An attempt failed (or its confidence was too low) and the record comes back on the retry schedule: status PENDING',
    producer: 'order-analysis, classification, resolution',
    consumers: ['quality-monitor'],
    publishers: STAGES.map(ownStage),
    subscribers: [QUALITY_MONITOR],
  }),
  'enrichment.reprocess': event({
    subject: 'enrichment.reprocess.{stage}.{tenant}',
    stream: 'ENRICHMENT',
    schema: envelope('enrichment.reprocess', ReprocessRequestedSchema),
    summary:
      'Drive a stalled or failed record through `stage` again; the stage honours its retry limit and escalates past it',
    producer: 'quality-monitor',
    consumers: ['order-analysis', 'classification', 'resolution'],
    publishers: [QUALITY_MONITOR],
    // The monitor reads every `enrichment.<a>.<b>.<tenant>` event, these included.
    subscribers: [...STAGES.map(ownStage), QUALITY_MONITOR],
  }),
  'enrichment.escalated': event({
    subject: 'enrichment.{stage}.escalated.{tenant}',
    stream: 'ENRICHMENT',
    schema: envelope('enrichment.escalated', StageEscalatedSchema),
    summary:
      'A record past its retry limit was asked for again: it needs a person (a review is requested too)',
    producer: 'order-analysis, classification, resolution',
    consumers: ['quality-monitor', 'operators'],
    publishers: STAGES.map(ownStage),
    subscribers: [QUALITY_MONITOR],
  }),
  'enrichment.completed': event({
    subject: 'enrichment.completed.{tenant}',
    stream: 'ENRICHMENT',
    schema: envelope('enrichment.completed', EnrichmentCompletedSchema),
    summary:
      'The public result: the whole enriched record, published exactly once per record. Every stage report holds its status, output, retries, provider, model version and timings',
    producer: 'resolution',
    consumers: ['downstream teams', 'quality-monitor', 'learning', 'analytics'],
    publishers: [service('resolution')],
    subscribers: [QUALITY_MONITOR],
    tenantAccess: 'subscribe',
  }),
  'review.requested': event({
    subject: 'review.requested.{tenant}',
    stream: 'LEARNING',
    schema: envelope('review.requested', ReviewRequestedSchema),
    summary:
      'A classification stayed below the confidence threshold after its retries: a human should label the record',
    producer: 'classification',
    consumers: ['learning', 'labeling'],
    // Any stage asks for a review when it escalates a record.
    publishers: STAGES.map(service),
    subscribers: [],
  }),
  'alerts.changed': event({
    subject: 'alerts.{severity}.{tenant}',
    stream: 'ALERTS',
    schema: envelope('alerts.changed', AlertChangedSchema),
    summary:
      "A tenant's completeness, quality, backlog, failure rate or integrity crossed its threshold (firing) or came back (resolved)",
    producer: 'quality-monitor',
    consumers: ['on-call tooling', 'chat bridges'],
    publishers: [QUALITY_MONITOR],
    subscribers: [],
  }),
  dlq: event({
    subject: 'dlq.{service}',
    stream: 'DLQ',
    schema: z.unknown(),
    summary:
      'A message a consumer gave up on: the original bytes, with Refinery-Dlq-* headers naming the reason, original subject, delivery count and service',
    producer: 'any consumer',
    consumers: ['operators'],
    // Every consumer publishes on its own `dlq.<service>`; deploy/nats derives those.
    publishers: [],
    subscribers: [],
  }),
} as const;

export type EventName = keyof typeof EVENTS;
export type EventPayload<E extends EventName> = z.infer<(typeof EVENTS)[E]['schema']>;

type ParamNames<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | ParamNames<Rest>
  : never;
export type SubjectParams<E extends EventName> = Record<
  ParamNames<(typeof EVENTS)[E]['subject']>,
  string
>;

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** The concrete subject of an event, e.g. `records.received.acme.order`. */
export function subjectOf<E extends EventName>(name: E, params: SubjectParams<E>): string {
  const values = params as Record<string, string>;
  return EVENTS[name].subject.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined || !TOKEN.test(value)) {
      throw new Error(
        `subject ${EVENTS[name].subject}: "${key}" must be one subject token, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  });
}

/** A filter subject for consumers: given params are fixed, the others become `*`. */
export function filterOf<E extends EventName>(
  name: E,
  params: Partial<SubjectParams<E>> = {},
): string {
  const values = params as Record<string, string | undefined>;
  return EVENTS[name].subject.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '*');
}

/** The params of a concrete subject, or undefined when the subject is not this event's. */
export function paramsOf<E extends EventName>(
  name: E,
  subject: string,
): SubjectParams<E> | undefined {
  const template = EVENTS[name].subject.split('.');
  const tokens = subject.split('.');
  if (template.length !== tokens.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const param = /^\{(\w+)\}$/.exec(template[i]);
    if (param) params[param[1]] = tokens[i];
    else if (template[i] !== tokens[i]) return undefined;
  }
  return params as SubjectParams<E>;
}
