import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  enrichedRecordsConsumers,
  filterOf,
  readerOf,
  STREAMS,
  type EventPayload,
  type ReadMask,
} from '@refinery/contracts';
import { consumeThrough, JetStreamConsumer, type InboundMessage } from '@refinery/messaging';
import { StreamRulesUseCase } from '../payload-rules/stream-rules.use-case';
import { EnrichmentStateRepository } from './enrichment-state.repository';
import { mergeRows, type ProjectedEvent } from './state-rows';

/**
 * The monitor reads two feeds: every received record (once, for its type, its arrival and
 * the payload rules), and the stages' reports, one per batch and tenant. Per-record stage
 * events stay for their subscribers; reading them cost the monitor four deliveries per
 * record and more than the projection itself. Received records are read as a tolerant
 * reader does: only the fields projected are checked here, ingestion validated the rest.
 */
const INPUT: ReadMask = { record_type: true, received_at: true };

/**
 * Consumers build the projection, in batches: records.received, one consumer per enriched
 * type (`recordsConsumers`), so records enrichment leaves alone (transcripts) never reach the
 * completeness, backlog or payload-rule figures; and enrichment.batch. With a tenant, each
 * follows only it. Received records are also judged by the payload rules: one delivery serves
 * both, and both writes are idempotent, so a batch retried for either one changes nothing twice.
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

    /**
     * `quality-monitor-stages` read every stage event before the reports; narrowing its filter
     * keeps its place in ENRICHMENT.
     */
    @JetStreamConsumer({
      durable: durable('stages'),
      stream: STREAMS.ENRICHMENT.name,
      filterSubject: filterOf('enrichment.batch', { tenant }),
      schema: readerOf('enrichment.batch', true),
      // A report holds up to a stage batch of records: a few reports make one statement.
      batchSize: 8,
    })
    stages(@Payload() batch: InboundMessage<ProjectedEvent>[]): Promise<void> {
      return this.project(batch);
    }

    private async project(batch: InboundMessage<ProjectedEvent>[]): Promise<void> {
      const { records, stages, escalations } = mergeRows(
        batch.map((m) => ({ event: m.data, sequence: m.sequence })),
      );
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
