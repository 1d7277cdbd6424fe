import { eventOf, type EventPayload, type StageName, type StageReports } from '@refinery/contracts';
import type { PublishItem } from '@refinery/messaging';
import type { StageWork } from './stage-definition';

/** The envelope of an event about the record a stage works on; the id is its message id. */
const about = (work: StageWork, id: string, at: string) => ({
  id,
  tenant: work.tenant,
  occurred_at: at,
  record_id: work.recordId,
});

export const doneEvent = (
  stage: StageName,
  work: StageWork,
  stages: StageReports,
  at: string,
): PublishItem =>
  eventOf(
    'enrichment.done',
    {
      ...about(work, `${work.recordId}:${stage}:done`, at),
      data: { stage, input: work.input, stages },
    },
    { stage },
  );

export const failedEvent = (
  stage: StageName,
  work: StageWork,
  stages: StageReports,
  reason: string,
  at: string,
): PublishItem =>
  eventOf(
    'enrichment.failed',
    {
      // A record driven again can fail again: each failure is its own event.
      ...about(work, `${work.recordId}:${stage}:failed:${stages[stage]?.errors.length ?? 0}`, at),
      data: { stage, input: work.input, stages, reason },
    },
    { stage },
  );

/** The attempt failed and the record comes back later; one per attempt. */
export const retryingEvent = (
  stage: StageName,
  work: StageWork,
  attempt: number,
  retryCount: number,
  errors: string[],
  at: string,
): PublishItem =>
  eventOf(
    'enrichment.retrying',
    {
      ...about(work, `${work.recordId}:${stage}:retry:${attempt}`, at),
      data: { stage, attempt, retry_count: retryCount, reason: errors.at(-1) ?? 'retry', errors },
    },
    { stage },
  );

/** Asked to run a record past what retries can do: a person has to look at it. */
export const escalatedEvent = (
  stage: StageName,
  work: StageWork,
  row: { retry_count: number; errors: string[] },
  reason: string,
  at: string,
): PublishItem =>
  eventOf(
    'enrichment.escalated',
    {
      ...about(work, `${work.recordId}:${stage}:escalated`, at),
      data: { stage, reason, retry_count: row.retry_count, errors: row.errors, input: work.input },
    },
    { stage },
  );

export function completedEvent(work: StageWork, stages: StageReports, at: string): PublishItem {
  const { 'order-analysis': analysis, classification, resolution } = stages;
  if (!analysis || !classification || !resolution) {
    throw new Error(`record ${work.recordId} is not through every stage`);
  }
  return eventOf('enrichment.completed', {
    ...about(work, `${work.recordId}:completed`, at),
    data: {
      input: work.input,
      stages: { 'order-analysis': analysis, classification, resolution },
      completed_at: at,
      latency_ms: Math.max(0, Date.parse(at) - Date.parse(work.input.received_at)),
    },
  });
}

export const reviewRequestedEvent = (
  stage: StageName,
  work: StageWork,
  output: EventPayload<'review.requested'>['data']['output'],
  reason: string,
  minConfidence: number,
  at: string,
  kind: 'review' | 'escalated' = 'review',
): PublishItem =>
  eventOf('review.requested', {
    ...about(work, `${work.recordId}:${stage}:${kind}-review`, at),
    data: { stage, reason, min_confidence: minConfidence, input: work.input, output },
  });

export type BatchRecord = EventPayload<'enrichment.batch'>['data']['records'][number];

/** A report stays well under NATS's 1 MB message limit; a larger batch is sent in parts. */
const REPORT_BYTES = 256 * 1024;

/**
 * The stage's reports on one batch, one per tenant (and part): the quality monitor's feed.
 * Their ids are new for every batch: a batch run again reports again, and the monitor's
 * projection takes the same report twice as once.
 */
export function batchReports(
  stage: StageName,
  batchId: string,
  inputStream: 'RECORDS' | 'ENRICHMENT',
  rows: readonly (BatchRecord & { tenant: string })[],
  at: string,
): PublishItem[] {
  const byTenant = new Map<string, { parts: BatchRecord[][]; bytes: number }>();
  for (const { tenant, ...row } of rows) {
    const bytes = JSON.stringify(row).length;
    let group = byTenant.get(tenant);
    if (!group) byTenant.set(tenant, (group = { parts: [[]], bytes: 0 }));
    if (group.bytes + bytes > REPORT_BYTES && group.parts.at(-1)!.length > 0) {
      group.parts.push([]);
      group.bytes = 0;
    }
    group.parts.at(-1)!.push(row);
    group.bytes += bytes;
  }
  return [...byTenant].flatMap(([tenant, { parts }]) =>
    parts.map((records, part) =>
      eventOf(
        'enrichment.batch',
        {
          id: `${batchId}:${tenant}:${part}`,
          tenant,
          occurred_at: at,
          record_id: null,
          data: { stage, batch_id: batchId, input_stream: inputStream, records },
        },
        { stage },
      ),
    ),
  );
}
