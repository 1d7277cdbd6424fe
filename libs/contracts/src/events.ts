import { z } from 'zod';
import { envelope, recordEnvelope } from './envelope';
import {
  STAGES,
  type StageName,
  EnrichmentCompletedSchema,
  ReceivedRecordSchema,
  ReviewRequestedSchema,
  StageDoneSchema,
  ReprocessRequestedSchema,
  StageEscalatedSchema,
  StageFailedSchema,
  StageBatchSchema,
  StageRetryingSchema,
} from './enrichment/enriched-record';
import {
  CorrectionRecordedSchema,
  FeedbackRecordedSchema,
  LearningAppliedSchema,
} from './learning/learning-events';
import { BehaviorEventSchema } from './behavior/behavior-event';
import { DatasetCommittedSchema } from './datasets/dataset-events';
import { ModelPublishedSchema } from './models/model-events';
import { AlertChangedSchema } from './quality/alert';
import { ENRICHED_RECORD_TYPES, IncomingEventSchema } from './records/record-types';
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
  /**
   * The services that publish it and the ones with a durable consumer on it. The NATS users
   * in deploy/nats are generated from these: a service may publish and read nothing else.
   */
  readonly publishers: readonly EventParty[];
  readonly subscribers: readonly EventParty[];
  /** What a tenant's own NATS users may do with it, on subjects carrying their slug. */
  readonly tenantAccess?: 'publish' | 'subscribe';
  /** Who publishes or reads it beyond the services and tenants above, for the AsyncAPI file. */
  readonly outside?: {
    readonly publishers?: readonly string[];
    readonly readers?: readonly string[];
  };
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
const LEARNING = service('learning');
const DATASETS = service('dataset-versioning');

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

export const EVENTS = {
  ingest: event({
    subject: 'ingest.{tenant}.{type}',
    stream: 'INGEST',
    schema: IncomingEventSchema,
    summary:
      'An upstream event sent to ingestion over NATS: the HTTP event envelope, whose `type` may be left out since the subject names it',
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
    publishers: [service('ingestion')],
    subscribers: [],
    outside: { readers: ['operators'] },
  }),
  'records.received': event({
    subject: 'records.received.{tenant}.{type}',
    stream: 'RECORDS',
    // The record as ingestion accepted it: the input every stage reads (orders and
    // exceptions); transcripts go to learning only.
    schema: recordEnvelope('records.received', ReceivedRecordSchema),
    summary:
      'A record was accepted and stored; enrichment starts here for orders and exceptions, learning takes transcripts',
    publishers: [service('ingestion')],
    subscribers: [
      ...ENRICHED_RECORD_TYPES.flatMap((type) => [
        { service: 'order-analysis', params: { type } },
        { service: 'quality-monitor', params: { type } },
      ]),
      { service: 'learning', params: { type: 'transcript' } },
      // Orders are analytics' conversions and revenue.
      { service: 'analytics', params: { type: 'order' } },
    ],
  }),
  'records.behavior': event({
    subject: 'records.behavior.{tenant}.{kind}',
    stream: 'RECORDS',
    // `id` is `behavior:<message_id>`; the Nats-Msg-Id adds the tenant (behavior:<tenant>:<id>),
    // so a resend within the duplicate window is stored once, and no tenant drops another's.
    schema: envelope('records.behavior', BehaviorEventSchema),
    summary:
      'A behavioural event (Segment spec: track or identify) accepted by ingestion; it is not stored as a record and never enters enrichment',
    publishers: [service('ingestion')],
    subscribers: [service('analytics')],
  }),
  'enrichment.done': event({
    subject: 'enrichment.{stage}.done.{tenant}',
    stream: 'ENRICHMENT',
    schema: recordEnvelope('enrichment.done', StageDoneSchema),
    summary:
      'A stage finished a record (COMPLETED or SKIPPED): the input with every stage report so far; the next stage starts here',
    publishers: [ownStage('order-analysis'), ownStage('classification')],
    subscribers: [after('classification', 'order-analysis'), after('resolution', 'classification')],
  }),
  'enrichment.failed': event({
    subject: 'enrichment.{stage}.failed.{tenant}',
    stream: 'ENRICHMENT',
    schema: recordEnvelope('enrichment.failed', StageFailedSchema),
    summary:
      'A stage gave up on a record after its last retry: status FAILED, outputs NULL, the errors of every attempt; the message is also in the DLQ',
    publishers: STAGES.map(ownStage),
    subscribers: [],
    outside: { readers: ['operators'] },
  }),
  'enrichment.retrying': event({
    subject: 'enrichment.{stage}.retrying.{tenant}',
    stream: 'ENRICHMENT',
    schema: recordEnvelope('enrichment.retrying', StageRetryingSchema),
    summary:
      'An attempt failed (or its confidence was too low) and the record comes back on the retry schedule: status PENDING',
    publishers: STAGES.map(ownStage),
    subscribers: [],
    outside: { readers: ['operators'] },
  }),
  'enrichment.reprocess': event({
    subject: 'enrichment.reprocess.{stage}.{tenant}',
    stream: 'ENRICHMENT',
    schema: recordEnvelope('enrichment.reprocess', ReprocessRequestedSchema),
    summary:
      'Drive a stalled or failed record through `stage` again; the stage honours its retry limit and escalates past it',
    publishers: [QUALITY_MONITOR],
    subscribers: STAGES.map(ownStage),
  }),
  'enrichment.escalated': event({
    subject: 'enrichment.{stage}.escalated.{tenant}',
    stream: 'ENRICHMENT',
    schema: recordEnvelope('enrichment.escalated', StageEscalatedSchema),
    summary:
      'A record past its retry limit was asked for again: it needs a person (a review is requested too)',
    publishers: STAGES.map(ownStage),
    subscribers: [],
    outside: { readers: ['operators'] },
  }),
  'enrichment.batch': event({
    subject: 'enrichment.{stage}.batch.{tenant}',
    stream: 'ENRICHMENT',
    // Not about one record: `record_id` is null, `id` is `<batch_id>:<tenant>:<part>`.
    schema: envelope('enrichment.batch', StageBatchSchema),
    summary:
      "A stage's report on one batch for one tenant: each record's status, retries, confidence and the stream sequences of its input and output; the quality monitor's feed",
    publishers: STAGES.map(ownStage),
    subscribers: [QUALITY_MONITOR],
    outside: { readers: ['operators'] },
  }),
  'enrichment.completed': event({
    subject: 'enrichment.completed.{tenant}',
    stream: 'ENRICHMENT',
    schema: recordEnvelope('enrichment.completed', EnrichmentCompletedSchema),
    summary:
      'The public result: the whole enriched record, published exactly once per record. Every stage report holds its status, output, retries, provider, model version and timings',
    publishers: [service('resolution')],
    // Analytics keeps what each model version answered, and exceptions for churn.
    subscribers: [LEARNING, DATASETS, service('analytics')],
    tenantAccess: 'subscribe',
  }),
  'review.requested': event({
    subject: 'review.requested.{tenant}',
    stream: 'LEARNING',
    schema: recordEnvelope('review.requested', ReviewRequestedSchema),
    summary:
      'A classification stayed below the confidence threshold after its retries, or a stage escalated a record: a person should label it',
    // Any stage asks for a review when it escalates a record.
    publishers: STAGES.map(service),
    subscribers: [LEARNING],
  }),
  'feedback.recorded': event({
    subject: 'feedback.recorded.{tenant}',
    stream: 'LEARNING',
    schema: recordEnvelope('feedback.recorded', FeedbackRecordedSchema),
    summary:
      'Someone rated an enriched record (thumbs, stars, emoji); negative feedback also enqueued a learning item',
    publishers: [LEARNING],
    subscribers: [DATASETS, service('analytics')],
    tenantAccess: 'subscribe',
  }),
  'corrections.recorded': event({
    subject: 'corrections.recorded.{tenant}',
    stream: 'LEARNING',
    schema: recordEnvelope('corrections.recorded', CorrectionRecordedSchema),
    summary:
      "Someone corrected an enriched record's label or action; the correction is a learning item (approved at once when urgent)",
    publishers: [LEARNING],
    subscribers: [],
    tenantAccess: 'subscribe',
  }),
  'learning.applied': event({
    subject: 'learning.applied.{tenant}',
    stream: 'LEARNING',
    schema: envelope('learning.applied', LearningAppliedSchema),
    summary:
      'An approved learning was applied: the corrected example (input, expected output, source, who approved it), published once per item',
    publishers: [LEARNING],
    subscribers: [DATASETS],
    tenantAccess: 'subscribe',
  }),
  'datasets.committed': event({
    subject: 'datasets.committed.{tenant}',
    stream: 'DATASETS',
    schema: envelope('datasets.committed', DatasetCommittedSchema),
    summary:
      'A commit on a golden dataset (curated, merged or rolled back): its hash, parents, tree, counts of changes and of corrected examples',
    publishers: [DATASETS],
    subscribers: [LEARNING],
    tenantAccess: 'subscribe',
  }),
  'models.published': event({
    subject: 'models.published.{model}.{tenant}',
    stream: 'LEARNING',
    schema: envelope('models.published', ModelPublishedSchema),
    summary:
      "A tenant's production model of one name changed (promoted, rolled back) or was announced again: its version, lineage and weights; the stage of that name loads it without a restart",
    publishers: [LEARNING],
    // Each stage reads its own model's subjects through an ordered consumer from the last
    // message per subject, not through a durable consumer.
    subscribers: [
      // Order analysis detects problems with the classification model's detector.
      { service: 'order-analysis', params: { model: 'classification' } },
      { service: 'classification', params: { model: 'classification' } },
      { service: 'resolution', params: { model: 'resolution' } },
    ],
  }),
  'alerts.changed': event({
    subject: 'alerts.{severity}.{tenant}',
    stream: 'ALERTS',
    schema: envelope('alerts.changed', AlertChangedSchema),
    summary:
      "A tenant's completeness, quality, backlog, failure rate or integrity crossed its threshold (firing) or came back (resolved)",
    publishers: [QUALITY_MONITOR],
    subscribers: [],
  }),
  dlq: event({
    subject: 'dlq.{service}',
    stream: 'DLQ',
    schema: z.unknown(),
    summary:
      'A message a consumer gave up on: the original bytes, with Refinery-Dlq-* headers naming the reason, original subject, delivery count and service',
    // Every consumer publishes on its own `dlq.<service>`; deploy/nats derives those.
    publishers: [],
    subscribers: [],
    outside: {
      publishers: ['every durable consumer, after its last delivery'],
      readers: ['operators'],
    },
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

/** A subject template split once: literal text at even places, param names at odd ones. */
const TEMPLATES = new Map(
  Object.entries(EVENTS).map(([name, def]) => [name, def.subject.split(/\{(\w+)\}/)]),
);

/** The concrete subject of an event, e.g. `records.received.acme.order`. */
export function subjectOf<E extends EventName>(name: E, params: SubjectParams<E>): string {
  const values = params as Record<string, string>;
  const parts = TEMPLATES.get(name)!;
  let subject = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const value = values[parts[i]];
    if (value === undefined || !TOKEN.test(value)) {
      throw new Error(
        `subject ${EVENTS[name].subject}: "${parts[i]}" must be one subject token, got ${JSON.stringify(value)}`,
      );
    }
    subject += value + parts[i + 1];
  }
  return subject;
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

/**
 * One filter for events of one stream whose subjects have as many tokens: the tokens they
 * share, `*` elsewhere, e.g. `enrichment.*.*.acme` for `STAGE_EVENTS` of tenant acme. A fixed
 * param must stand at the same place in each subject, or the filter would match other tenants.
 */
export function filterOfAll<N extends EventName>(
  names: readonly N[],
  params: Partial<SubjectParams<N>> = {},
): string {
  const templates = names.map((name) => EVENTS[name].subject.split('.'));
  const filters = names.map((name) => filterOf(name, params).split('.'));
  const shapes = new Set(names.map((name, i) => `${EVENTS[name].stream}:${templates[i].length}`));
  if (shapes.size !== 1)
    throw new Error(`${names.join(', ')} are not of one stream and subject length`);
  return filters[0]
    .map((token, i) => {
      if (filters.every((f) => f[i] === token)) return token;
      const fixed = templates.find((t) => t[i].slice(1, -1) in params);
      if (fixed) throw new Error(`${fixed.join('.')}: ${fixed[i]} is not where the others have it`);
      return '*';
    })
    .join('.');
}

/**
 * Every event about a record in a stage: the stages' own and the quality monitor's requests
 * to them. Their subjects are `enrichment.<a>.<b>.<tenant>`, so one consumer reads them all.
 */
export const STAGE_EVENTS = [
  'enrichment.done',
  'enrichment.failed',
  'enrichment.retrying',
  'enrichment.escalated',
  'enrichment.reprocess',
] as const satisfies readonly EventName[];

/** Filters that together match every subject carrying `tenant`, e.g. to purge its messages. */
export function tenantFilters(tenant: string): { stream: StreamName; filter: string }[] {
  const groups = new Map<string, EventName[]>();
  for (const name of Object.keys(EVENTS) as EventName[]) {
    const tokens = EVENTS[name].subject.split('.');
    if (!tokens.includes('{tenant}')) continue;
    const key = `${EVENTS[name].stream}:${tokens.length}:${tokens.indexOf('{tenant}')}`;
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  return [...groups.values()].map((names) => ({
    stream: EVENTS[names[0]].stream,
    filter: filterOfAll(names, { tenant }),
  }));
}
