import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { AiProvider } from '@refinery/ai';
import {
  confidenceOf,
  GATED_STAGE,
  isFinal,
  unsureReason,
  type ClassificationOutput,
  type EnrichmentInput,
  type EventPayload,
  type StageName,
  type StageReport,
  type StageReports,
  type StageStatus,
} from '@refinery/contracts';
import {
  batchOutcome,
  isLastAttempt,
  isReplayFor,
  JetStreamPublisher,
  NonRetryableError,
  type BatchOutcome,
  type FailedMessage,
  type InboundMessage,
  type PublishItem,
} from '@refinery/messaging';
import { mapLimit } from '@refinery/runtime';
import type { StageConfig } from './config';
import {
  batchReports,
  completedEvent,
  doneEvent,
  escalatedEvent,
  failedEvent,
  retryingEvent,
  reviewRequestedEvent,
  type BatchRecord,
} from './stage-events';
import {
  recordInputOf,
  type StageDefinition,
  type StageRules,
  type StageWork,
} from './stage-definition';
import type { ServedModels } from './served-models';
import { stageMetrics } from './stage-metrics';
import {
  StageRecordsRepository,
  type Claimed,
  type Exhausted,
  type Outcome,
} from './stage-records.repository';

/** What a stage is given: a record of an enriched type, or the previous stage's done event. */
type Inbound =
  | (Omit<EventPayload<'records.received'>, 'data'> & { data: EnrichmentInput })
  | EventPayload<'enrichment.done'>;

/**
 * Why a batch came: the stage's source, the quality monitor's request to drive records again
 * (`reprocess`), or the operator's replay of a message the stage dead-lettered (`replay`).
 */
type Drive = 'source' | 'reprocess' | 'replay';

interface Attempt {
  message: InboundMessage<Inbound>;
  work: StageWork;
  outcome: Outcome;
  firstAttemptAt: Date;
  /** Set when the message must come back later (a retry) or go to the DLQ (FAILED). */
  error?: Error;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs one batch of a stage: claim the records, call the AI for each, store every outcome,
 * publish what is final, then mark it published. A record already finished is not run
 * again: if its events never got out, they are rebuilt from the stored outcome and
 * published under the same message ids.
 */
export class StageProcessor {
  private readonly log: Logger;
  private readonly metrics = stageMetrics();
  private readonly rules: StageRules;
  private readonly retryLowConfidence: boolean;

  /**
   * `modelsReady`: the first batch waits for it, so a starting stage has read which model each
   * tenant is served before it answers.
   */
  constructor(
    private readonly stage: StageDefinition,
    private readonly models: ServedModels,
    private readonly config: StageConfig,
    private readonly records: StageRecordsRepository,
    private readonly publisher: JetStreamPublisher,
    private readonly modelsReady: Promise<void> = Promise.resolve(),
  ) {
    this.log = new Logger(stage.name);
    this.rules = { minConfidence: config.ENRICHMENT_MIN_CONFIDENCE };
    const policy = config.ENRICHMENT_LOW_CONFIDENCE_RETRY;
    // Registry models are local models: deterministic like the fallback they replace.
    const deterministic = models.fallback.deterministic;
    this.retryLowConfidence = policy === 'always' || (policy === 'auto' && !deterministic);
  }

  /**
   * `reprocess`: the quality monitor drives a stalled or FAILED record again. A stalled one
   * carries on with its retry count; a FAILED one gets one more attempt, up to
   * ENRICHMENT_REPROCESS_LIMIT times. Past that, or for an answer still unsure, the request
   * escalates the record to a person instead, once.
   *
   * A message of the source replayed from the DLQ for this stage (Refinery-Replay-Service) is
   * driven like a reprocess request, the same limit counting both: a FAILED record gets one
   * more attempt, and goes back to the DLQ if it fails again; a record finished otherwise is a
   * duplicate, and one past the limit is escalated. An unsure answer is left alone: a replay
   * is about failures, and asking a person is the monitor's call.
   */
  async process(
    batch: readonly InboundMessage<Inbound>[],
    { reprocess = false } = {},
  ): Promise<BatchOutcome> {
    await this.modelsReady;
    if (reprocess) return this.drive(batch, 'reprocess');
    const replays = batch.filter((m) => isReplayFor(m.headers, this.stage.name));
    if (replays.length === 0) return this.drive(batch, 'source');
    const rest = batch.filter((m) => !replays.includes(m));
    const failed: FailedMessage[] = [];
    if (rest.length > 0) failed.push(...(await this.drive(rest, 'source')).failed);
    failed.push(...(await this.drive(replays, 'replay')).failed);
    return batchOutcome(failed);
  }

  private async drive(
    batch: readonly InboundMessage<Inbound>[],
    drive: Drive,
  ): Promise<BatchOutcome> {
    const providerFor = this.models.snapshot();
    const byRecord = new Map<string, { message: InboundMessage<Inbound>; work: StageWork }>();
    for (const message of batch) {
      const work = workOf(message.data);
      // A record twice in one batch: the first copy stands for both.
      if (!byRecord.has(work.recordId)) byRecord.set(work.recordId, { message, work });
    }
    const items = [...byRecord.values()];
    const { claimed, unpublished, exhausted } = await this.records.claim(
      items.map(({ work }) => ({ id: work.recordId, tenant: work.tenant })),
      drive === 'source'
        ? undefined
        : {
            reprocessLimit: this.config.ENRICHMENT_REPROCESS_LIMIT,
            lowConfidence:
              drive === 'reprocess' && this.stage.name === GATED_STAGE
                ? this.rules.minConfidence
                : null,
          },
    );
    this.metrics.duplicates.inc({ stage: this.stage.name }, batch.length - claimed.length);

    const claimedById = new Map(claimed.map((c) => [c.record_id, c]));
    const tried = await mapLimit(
      items.filter(({ work }) => claimedById.has(work.recordId)),
      this.config.ENRICHMENT_AI_CONCURRENCY,
      ({ message, work }) =>
        this.attempt(
          providerFor(work.tenant),
          message,
          work,
          claimedById.get(work.recordId)!,
          drive,
        ),
    );
    const batchId = randomUUID();
    const stored = await this.records.save(
      tried.map(({ outcome, work }) => {
        const { first_attempt_at, reprocess_count } = claimedById.get(work.recordId)!;
        return { ...outcome, tenant: work.tenant, first_attempt_at, reprocess_count };
      }),
      batchId,
    );
    // Another attempt finished these meanwhile: its own batch publishes them, so this one
    // acks its copies and says nothing.
    const attempts = tried.filter((a) => stored.has(a.work.recordId));
    this.metrics.duplicates.inc({ stage: this.stage.name }, tried.length - attempts.length);

    const finished = attempts.filter((a) => isFinal(a.outcome.status));
    const retrying = attempts.filter((a) => a.outcome.status === 'PENDING');
    // Where each record's done or completed event lands in `outgoing`: its sequence goes into
    // the batch report, so the monitor can read it back to drive the next stage again.
    const outputAt = new Map<string, number>();
    const outgoing: PublishItem[] = [];
    const add = (recordId: string, events: PublishItem[], report: StageReport<StageName>) => {
      if (report.status !== 'FAILED') outputAt.set(recordId, outgoing.length);
      outgoing.push(...events);
    };
    for (const a of finished) {
      const report = reportOf(a.outcome, a.firstAttemptAt);
      add(a.work.recordId, this.events(a.work, report), report);
    }
    for (const row of unpublished) {
      const report = reportOf(row, row.first_attempt_at);
      const work = byRecord.get(row.record_id)!.work;
      add(row.record_id, this.events(work, report), report);
    }
    // Not part of the exactly-once bookkeeping: a lost one is superseded by the next event.
    for (const { work, message, outcome } of retrying) {
      outgoing.push(
        retryingEvent(
          this.stage.name,
          work,
          message.deliveryCount,
          outcome.retry_count,
          outcome.errors,
          new Date().toISOString(),
        ),
      );
    }
    for (const row of exhausted) {
      outgoing.push(...this.escalation(byRecord.get(row.record_id)!.work, row));
    }
    const acks = await this.publisher.publishMany(outgoing);
    const outputSeq = (recordId: string) => {
      const at = outputAt.get(recordId);
      return at === undefined ? null : acks[at].seq;
    };
    const rows = [
      ...attempts.map((a) => this.batchRecord(a, a.outcome, outputSeq)),
      ...unpublished.map((row) => this.batchRecord(byRecord.get(row.record_id)!, row, outputSeq)),
      ...exhausted.map((row) =>
        this.batchRecord(byRecord.get(row.record_id)!, row, outputSeq, true),
      ),
    ];
    if (rows.length > 0) {
      const at = new Date().toISOString();
      const stream = batch[0].stream === 'RECORDS' ? 'RECORDS' : 'ENRICHMENT';
      await this.publisher.publishMany(batchReports(this.stage.name, batchId, stream, rows, at));
    }
    await this.records.markPublished(
      attempts.length > 0 ? batchId : null,
      unpublished.map((row) => row.record_id),
    );
    await this.records.markEscalated(exhausted.map((row) => row.record_id));

    for (const a of attempts) {
      this.metrics.outcomes.inc({ stage: this.stage.name, status: a.outcome.status });
    }
    const failed: FailedMessage[] = attempts
      .filter((a): a is Attempt & { error: Error } => a.error !== undefined)
      .map(({ message, error }) => ({ message, error }));
    return batchOutcome(failed);
  }

  /** One record's line in the batch report. */
  private batchRecord(
    { message, work }: { message: InboundMessage<Inbound>; work: StageWork },
    row: Pick<Outcome, 'record_id' | 'status' | 'retry_count' | 'errors' | 'output'> & {
      finished_at?: string | Date | null;
      duration_ms?: number;
    },
    outputSeq: (recordId: string) => number | null,
    escalated = false,
  ): BatchRecord & { tenant: string } {
    const { input } = work;
    const settled = row.status === 'COMPLETED' || row.status === 'SKIPPED';
    return {
      tenant: work.tenant,
      record_id: row.record_id,
      record_type: input.record_type,
      received_at: input.received_at,
      status: row.status,
      retry_count: row.retry_count,
      errors: settled ? [] : row.errors,
      confidence: confidenceOf(this.stage.name, row.output as never),
      duration_ms: row.duration_ms ?? null,
      finished_at: row.finished_at ? new Date(row.finished_at).toISOString() : null,
      input_seq: message.sequence,
      output_seq: outputSeq(row.record_id),
      escalated: escalated ? this.escalationReason(row) : null,
    };
  }

  /** The events a final outcome publishes; the same ones however often it is rebuilt. */
  private events(work: StageWork, report: StageReport<StageName>): PublishItem[] {
    const name = this.stage.name;
    const stages: StageReports = { ...work.stages, [name]: report };
    const at = report.finished_at!;
    if (report.status === 'FAILED') {
      return [failedEvent(name, work, stages, report.errors.at(-1) ?? 'failed', at)];
    }
    const events = [
      this.stage.last ? completedEvent(work, stages, at) : doneEvent(name, work, stages, at),
    ];
    const unsure = this.unsure(report.output);
    if (unsure !== undefined) {
      const output = report.output as ClassificationOutput;
      events.push(reviewRequestedEvent(name, work, output, unsure, this.rules.minConfidence, at));
    }
    return events;
  }

  /** An escalated event for operators and a review request for the labelling queue. */
  private escalation(work: StageWork, row: Exhausted): PublishItem[] {
    const name = this.stage.name;
    const at = new Date().toISOString();
    const reason = this.escalationReason(row);
    this.log.warn(`record ${work.recordId} escalated to a person: ${reason}`);
    const output = row.status === 'FAILED' ? null : (row.output as ClassificationOutput);
    return [
      escalatedEvent(name, work, row, reason, at),
      reviewRequestedEvent(name, work, output, reason, this.rules.minConfidence, at, 'escalated'),
    ];
  }

  private escalationReason(row: Pick<Exhausted, 'status' | 'retry_count' | 'errors'>): string {
    return row.status === 'FAILED'
      ? `FAILED after ${row.retry_count} retries and ${this.config.ENRICHMENT_REPROCESS_LIMIT} reprocess attempts: ${row.errors.at(-1) ?? 'no error recorded'}`
      : `still below confidence ${this.rules.minConfidence} and not labelled`;
  }

  /** Why an answer is too unsure to stand without a person (the contract's rule), if it is. */
  private unsure(output: unknown): string | undefined {
    const confidence = confidenceOf(this.stage.name, output as never);
    return unsureReason(this.stage.name, confidence, this.rules.minConfidence);
  }

  private async attempt(
    provider: AiProvider,
    message: InboundMessage<Inbound>,
    work: StageWork,
    claimed: Claimed,
    drive: Drive,
  ): Promise<Attempt> {
    const name = this.stage.name;
    const schedule = this.config.ENRICHMENT_RETRY_SCHEDULE;
    const retries = Math.max(claimed.retry_count, message.deliveryCount - 1);
    // A reprocess request (or a replay) continues the record's count: a FAILED record gets
    // one attempt.
    const again = drive !== 'source';
    const last =
      isLastAttempt(schedule, message.deliveryCount) ||
      (again && claimed.retry_count >= schedule.length);
    const skipReason = this.stage.skipReason(work, this.rules);
    const started = performance.now();
    let output: unknown = null;
    let failure: string | undefined;
    if (skipReason === undefined) {
      try {
        output = await this.stage.run(provider, recordInputOf(work), work);
      } catch (error) {
        failure = describe(error);
      }
      this.metrics.aiDuration.observe(
        { stage: name, provider: provider.name, outcome: failure ? 'error' : 'ok' },
        (performance.now() - started) / 1000,
      );
    }
    const lowConfidence = this.unsure(output);
    const retryLow = lowConfidence !== undefined && this.retryLowConfidence && !last;
    const problem = failure ?? (retryLow ? lowConfidence : undefined);
    const label =
      again && claimed.reprocess_count > 0
        ? `${drive} ${claimed.reprocess_count}`
        : `attempt ${message.deliveryCount}`;
    const errors = problem ? [...claimed.errors, `${label}: ${problem}`] : claimed.errors;

    let status: StageStatus;
    if (skipReason !== undefined) status = 'SKIPPED';
    else if (failure !== undefined) status = last ? 'FAILED' : 'PENDING';
    else status = retryLow ? 'PENDING' : 'COMPLETED';
    if (failure !== undefined) output = null;
    if (status === 'FAILED') {
      this.log.warn(
        `record ${work.recordId} FAILED after ${message.deliveryCount} attempts: ${failure}`,
      );
    }
    if (status === 'COMPLETED' && lowConfidence !== undefined)
      this.metrics.reviews.inc({ stage: name });

    const ran = skipReason === undefined;
    return {
      message,
      work,
      firstAttemptAt: claimed.first_attempt_at,
      // A FAILED reprocess attempt is acked: its failed event says so, and the next request
      // (not a redelivery of this one) decides between another attempt and escalation. A
      // FAILED replay goes back to the DLQ at once, for the operator to replay again later.
      error:
        status === 'PENDING' || (status === 'FAILED' && drive === 'source')
          ? new Error(problem)
          : status === 'FAILED' && drive === 'replay'
            ? new NonRetryableError(`replayed and failed again: ${problem}`)
            : undefined,
      outcome: {
        record_id: work.recordId,
        status,
        retry_count: problem && status === 'PENDING' ? retries + 1 : retries,
        errors,
        finished_at: isFinal(status) ? new Date().toISOString() : null,
        output,
        confidence: confidenceOf(this.stage.name, output as never),
        skip_reason: skipReason ?? null,
        provider: ran ? provider.name : null,
        model_version: ran ? provider.version : null,
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
      },
    };
  }
}

/** A stored outcome as the stage report every later event carries. */
function reportOf(
  row: Omit<Outcome, 'finished_at' | 'confidence'> & { finished_at: string | Date | null },
  firstAttemptAt: Date,
): StageReport<StageName> {
  return {
    status: row.status,
    output: row.output,
    skip_reason: row.skip_reason,
    retry_count: row.retry_count,
    errors: row.errors,
    provider: row.provider,
    model_version: row.model_version,
    first_attempt_at: new Date(firstAttemptAt).toISOString(),
    finished_at: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    duration_ms: row.duration_ms,
  } as StageReport<StageName>;
}

function workOf(event: Inbound): StageWork {
  const { record_id: recordId, tenant } = event;
  return event.type === 'records.received'
    ? { recordId, tenant, input: event.data, stages: {} }
    : { recordId, tenant, input: event.data.input, stages: event.data.stages };
}
