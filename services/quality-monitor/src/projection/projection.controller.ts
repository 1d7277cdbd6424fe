import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EVENTS, filterOf, STREAMS } from '@refinery/contracts';
import { JetStreamConsumer, type InboundMessage } from '@refinery/messaging';
import { z } from 'zod';
import { EnrichmentStateRepository } from './enrichment-state.repository';
import { mergeRows, type ProjectedEvent } from './state-rows';

/** Every event on `enrichment.<a>.<b>.<tenant>`: a stage's own, and reprocess requests. */
const StageEventSchema = z.discriminatedUnion('type', [
  EVENTS['enrichment.done'].schema,
  EVENTS['enrichment.failed'].schema,
  EVENTS['enrichment.retrying'].schema,
  EVENTS['enrichment.escalated'].schema,
  EVENTS['enrichment.reprocess'].schema,
]);

/**
 * Three consumers build the projection, in batches: records.received, the stages' events
 * (`enrichment.<stage>.<event>.<tenant>`) and enrichment.completed. NATS 2.9 takes one filter
 * subject per consumer, and these are the three shapes. With a tenant, each follows only it.
 */
export function projectionController(tenant?: string): Type {
  const durable = (name: string) => `quality-monitor-${name}${tenant ? `_${tenant}` : ''}`;
  const t = tenant ?? '*';

  @Controller()
  class ProjectionController {
    constructor(private readonly state: EnrichmentStateRepository) {}

    @JetStreamConsumer({
      durable: durable('records'),
      stream: STREAMS.RECORDS.name,
      filterSubject: filterOf('records.received', tenant ? { tenant } : {}),
      schema: EVENTS['records.received'].schema,
      batchSize: 500,
    })
    received(@Payload() batch: InboundMessage<ProjectedEvent>[]): Promise<void> {
      return this.project(batch);
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
      schema: EVENTS['enrichment.completed'].schema,
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
