import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { filterOf, STREAMS, type EventPayload } from '@refinery/contracts';
import { JetStreamConsumer, type InboundMessage } from '@refinery/messaging';
import { StreamRulesUseCase } from '../rules/stream-rules.use-case';
import { EnrichmentStateRepository } from './enrichment-state.repository';
import { CompletedEventSchema, ReceivedEventSchema, StageEventSchema } from './projected-events';
import { mergeRows, type ProjectedEvent } from './state-rows';

/**
 * Three consumers build the projection, in batches: records.received, the stages' events
 * (`enrichment.<stage>.<event>.<tenant>`) and enrichment.completed. NATS 2.9 takes one filter
 * subject per consumer, and these are the three shapes. With a tenant, each follows only it.
 * Received records are also judged by the payload rules: one delivery serves both, and both
 * writes are idempotent, so a batch retried for either one changes nothing twice.
 */
/** `quality-monitor-<name>`, or `quality-monitor-<name>_<tenant>` for a monitor of one tenant. */
export const monitorDurable = (name: string, tenant?: string) =>
  `quality-monitor-${name}${tenant ? `_${tenant}` : ''}`;

export function projectionController(tenant?: string): Type {
  const durable = (name: string) => monitorDurable(name, tenant);
  const t = tenant ?? '*';

  @Controller()
  class ProjectionController {
    constructor(
      private readonly state: EnrichmentStateRepository,
      private readonly payloadRules: StreamRulesUseCase,
    ) {}

    @JetStreamConsumer({
      durable: durable('records'),
      stream: STREAMS.RECORDS.name,
      filterSubject: filterOf('records.received', tenant ? { tenant } : {}),
      schema: ReceivedEventSchema,
      batchSize: 500,
    })
    async received(
      @Payload() batch: InboundMessage<EventPayload<'records.received'>>[],
    ): Promise<void> {
      await Promise.all([this.project(batch), this.payloadRules.execute(batch.map((m) => m.data))]);
    }

    @JetStreamConsumer({
      durable: durable('stages'),
      stream: STREAMS.ENRICHMENT.name,
      filterSubject: `enrichment.*.*.${t}`,
      schema: StageEventSchema,
      batchSize: 500,
    })
    stages(@Payload() batch: InboundMessage<ProjectedEvent>[]): Promise<void> {
      return this.project(batch);
    }

    @JetStreamConsumer({
      durable: durable('completed'),
      stream: STREAMS.ENRICHMENT.name,
      filterSubject: filterOf('enrichment.completed', tenant ? { tenant } : {}),
      schema: CompletedEventSchema,
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
  return ProjectionController;
}
