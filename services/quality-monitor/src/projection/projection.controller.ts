import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  enrichedRecordsConsumers,
  filterOf,
  filterOfAll,
  readerOf,
  readerOfAll,
  STAGE_EVENTS,
  STAGES,
  STREAMS,
  type EventPayload,
  type ReadMask,
} from '@refinery/contracts';
import { consumeThrough, JetStreamConsumer, type InboundMessage } from '@refinery/messaging';
import { StreamRulesUseCase } from '../payload-rules/stream-rules.use-case';
import { EnrichmentStateRepository } from './enrichment-state.repository';
import { mergeRows, type ProjectedEvent } from './state-rows';

/**
 * The monitor reads events the way a tolerant reader does: it checks, as the contract has
 * them, the fields it projects and passes the rest through untouched. Their producers
 * validated them in full; checking each input payload and stage output again here cost more
 * than the projection itself, on four deliveries per record. Rare events (escalations,
 * reprocess requests) still get the whole contract.
 */
const REPORT: ReadMask = {
  status: true,
  retry_count: true,
  errors: true,
  finished_at: true,
  duration_ms: true,
};
const REPORTS: ReadMask = Object.fromEntries(STAGES.map((stage) => [stage, REPORT]));
const INPUT: ReadMask = { record_type: true, received_at: true };
const STAGE_RESULT: ReadMask = { stage: true, stages: REPORTS };

/**
 * Consumers build the projection, in batches: records.received, the stages' events
 * (`STAGE_EVENTS`) and enrichment.completed. NATS 2.9 takes one filter subject per consumer,
 * and these are the three shapes; received records are read one consumer per enriched type
 * (`recordsConsumers`), so records enrichment leaves alone (transcripts) never reach the
 * completeness, backlog or payload-rule figures. With a tenant, each follows only it.
 * Received records are also judged by the payload rules: one delivery serves both, and both
 * writes are idempotent, so a batch retried for either one changes nothing twice.
 */
/** `quality-monitor-<name>`, or `quality-monitor-<name>_<tenant>` for a monitor of one tenant. */
export const monitorDurable = (name: string, tenant?: string) =>
  `quality-monitor-${name}${tenant ? `_${tenant}` : ''}`;

/**
 * The records consumers, one per enriched record type: `quality-monitor-records` (which read
 * every type before transcripts, and keeps its place for orders), then
 * `quality-monitor-records-<type>` for the others.
 */
export const recordsConsumers = (tenant?: string) =>
  enrichedRecordsConsumers(monitorDurable('records'), tenant);

export function projectionController(tenant?: string): Type {
  const durable = (name: string) => monitorDurable(name, tenant);

  @Controller()
  class ProjectionController {
    constructor(
      private readonly state: EnrichmentStateRepository,
      private readonly payloadRules: StreamRulesUseCase,
    ) {}

    /** Each records consumer of `recordsConsumers`, through `consumeThrough` below. */
    async received(batch: InboundMessage<EventPayload<'records.received'>>[]): Promise<void> {
      await Promise.all([this.project(batch), this.payloadRules.execute(batch.map((m) => m.data))]);
    }

    @JetStreamConsumer({
      durable: durable('stages'),
      stream: STREAMS.ENRICHMENT.name,
      filterSubject: filterOfAll(STAGE_EVENTS, { tenant }),
      schema: readerOfAll(STAGE_EVENTS, {
        'enrichment.done': STAGE_RESULT,
        'enrichment.failed': STAGE_RESULT,
        'enrichment.retrying': { stage: true, retry_count: true, errors: true },
        'enrichment.escalated': true,
        'enrichment.reprocess': true,
      }),
      batchSize: 500,
    })
    stages(@Payload() batch: InboundMessage<ProjectedEvent>[]): Promise<void> {
      return this.project(batch);
    }

    @JetStreamConsumer({
      durable: durable('completed'),
      stream: STREAMS.ENRICHMENT.name,
      filterSubject: filterOf('enrichment.completed', { tenant }),
      schema: readerOf('enrichment.completed', {
        input: INPUT,
        stages: REPORTS,
        completed_at: true,
        latency_ms: true,
      }),
      batchSize: 500,
    })
    completed(@Payload() batch: InboundMessage<ProjectedEvent>[]): Promise<void> {
      return this.project(batch);
    }

    private async project(batch: InboundMessage<ProjectedEvent>[]): Promise<void> {
      const { records, stages, escalations } = mergeRows(batch.map((m) => m.data));
      await this.state.apply(records, stages, escalations);
    }
  }
  consumeThrough(
    ProjectionController,
    'received',
    recordsConsumers(tenant).map(({ durable, filterSubject, takesOverFrom }) => ({
      durable,
      stream: STREAMS.RECORDS.name,
      filterSubject,
      ...(takesOverFrom ? { takesOverFrom } : {}),
      schema: readerOf('records.received', INPUT),
      batchSize: 500,
    })),
  );
  return ProjectionController;
}
