import {
  SCHEMA_VERSION,
  subjectOf,
  type EventName,
  type EventPayload,
  type StageName,
  type StageReports,
} from '@refinery/contracts';
import type { PublishItem } from '@refinery/messaging';
import type { StageWork } from './stage-definition';

/** One outgoing event in its envelope; the message id doubles as the event id. */
type StageEvent = Extract<
  EventName,
  | 'enrichment.done'
  | 'enrichment.failed'
  | 'enrichment.retrying'
  | 'enrichment.escalated'
  | 'enrichment.completed'
  | 'review.requested'
>;

function item<E extends StageEvent>(
  name: E,
  subject: string,
  msgId: string,
  work: StageWork,
  occurredAt: string,
  data: EventPayload<E>['data'],
): PublishItem {
  const payload = {
    id: msgId,
    tenant: work.tenant,
    type: name,
    schema_version: SCHEMA_VERSION,
    occurred_at: occurredAt,
    record_id: work.recordId,
    data,
  };
  return { subject, msgId, payload };
}

export const doneEvent = (stage: StageName, work: StageWork, stages: StageReports, at: string) =>
  item(
    'enrichment.done',
    subjectOf('enrichment.done', { stage, tenant: work.tenant }),
    `${work.recordId}:${stage}:done`,
    work,
    at,
    { stage, input: work.input, stages },
  );

export const failedEvent = (
  stage: StageName,
  work: StageWork,
  stages: StageReports,
  reason: string,
  at: string,
) =>
  item(
    'enrichment.failed',
    subjectOf('enrichment.failed', { stage, tenant: work.tenant }),
    // A record driven again can fail again: each failure is its own event.
    `${work.recordId}:${stage}:failed:${stages[stage]?.errors.length ?? 0}`,
    work,
    at,
    { stage, input: work.input, stages, reason },
  );

/** The attempt failed and the record comes back later; one per attempt. */
export const retryingEvent = (
  stage: StageName,
  work: StageWork,
  attempt: number,
  retryCount: number,
  errors: string[],
  at: string,
) =>
  item(
    'enrichment.retrying',
    subjectOf('enrichment.retrying', { stage, tenant: work.tenant }),
    `${work.recordId}:${stage}:retry:${attempt}`,
    work,
    at,
    { stage, attempt, retry_count: retryCount, reason: errors.at(-1) ?? 'retry', errors },
  );

/** Asked to run a record past what retries can do: a person has to look at it. */
export const escalatedEvent = (
  stage: StageName,
  work: StageWork,
  row: { retry_count: number; errors: string[] },
  reason: string,
  at: string,
) =>
  item(
    'enrichment.escalated',
    subjectOf('enrichment.escalated', { stage, tenant: work.tenant }),
    `${work.recordId}:${stage}:escalated`,
    work,
    at,
    { stage, reason, retry_count: row.retry_count, errors: row.errors, input: work.input },
  );

export function completedEvent(work: StageWork, stages: StageReports, at: string): PublishItem {
  const { 'order-analysis': analysis, classification, resolution } = stages;
  if (!analysis || !classification || !resolution) {
    throw new Error(`record ${work.recordId} is not through every stage`);
  }
  return item(
    'enrichment.completed',
    subjectOf('enrichment.completed', { tenant: work.tenant }),
    `${work.recordId}:completed`,
    work,
    at,
    {
      input: work.input,
      stages: { 'order-analysis': analysis, classification, resolution },
      completed_at: at,
      latency_ms: Math.max(0, Date.parse(at) - Date.parse(work.input.received_at)),
    },
  );
}

export const reviewRequestedEvent = (
  stage: StageName,
  work: StageWork,
  output: EventPayload<'review.requested'>['data']['output'],
  reason: string,
  minConfidence: number,
  at: string,
  kind: 'review' | 'escalated' = 'review',
) =>
  item(
    'review.requested',
    subjectOf('review.requested', { tenant: work.tenant }),
    `${work.recordId}:${stage}:${kind}-review`,
    work,
    at,
    { stage, reason, min_confidence: minConfidence, input: work.input, output },
  );
