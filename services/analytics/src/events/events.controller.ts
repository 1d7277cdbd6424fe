import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { filterOf, readerOf, STREAMS, type EventPayload } from '@refinery/contracts';
import { JetStreamConsumer, type InboundMessage } from '@refinery/messaging';
import { behaviorRow, exceptionRow, orderRow } from './event-rows';
import { EventsRepository } from './events.repository';

/** `analytics-<name>`, or `analytics-<name>_<tenant>` for a service of one tenant. */
const durable = (name: string, tenant?: string) => `analytics-${name}${tenant ? `_${tenant}` : ''}`;

/** Behavioural events and orders, stored in batches. */
export function eventsController(tenant?: string): Type {
  @Controller()
  class EventsController {
    constructor(private readonly events: EventsRepository) {}

    @JetStreamConsumer({
      durable: durable('behavior', tenant),
      stream: STREAMS.RECORDS.name,
      filterSubject: filterOf('records.behavior', { tenant }),
      schema: readerOf('records.behavior', true),
      batchSize: 500,
    })
    async behavior(@Payload() batch: InboundMessage<EventPayload<'records.behavior'>>[]) {
      await this.events.save(batch.map((m) => behaviorRow(m.data.tenant, m.data.data)));
    }

    @JetStreamConsumer({
      durable: durable('orders', tenant),
      stream: STREAMS.RECORDS.name,
      filterSubject: filterOf('records.received', { tenant, type: 'order' }),
      schema: readerOf('records.received', { payload: true, received_at: true }),
      batchSize: 500,
    })
    async orders(@Payload() batch: InboundMessage<EventPayload<'records.received'>>[]) {
      await this.events.save(
        batch.map((m) =>
          orderRow(
            m.data.tenant,
            m.data.record_id,
            m.data.data.payload as Record<string, unknown>,
            m.data.occurred_at,
          ),
        ),
      );
    }
    @JetStreamConsumer({
      durable: durable('exceptions', tenant),
      stream: STREAMS.ENRICHMENT.name,
      filterSubject: filterOf('enrichment.completed', { tenant }),
      schema: readerOf('enrichment.completed', { input: true, stages: true, completed_at: true }),
      batchSize: 500,
    })
    async exceptions(@Payload() batch: InboundMessage<EventPayload<'enrichment.completed'>>[]) {
      const rows = batch
        .filter((m) => m.data.data.input.record_type === 'exception')
        .map(({ data: event }) =>
          exceptionRow(
            event.tenant,
            event.record_id,
            event.data.input.payload as Record<string, unknown>,
            event.data.stages.classification.output?.ai_label ?? null,
            event.data.completed_at,
          ),
        );
      await this.events.save(rows);
    }
  }
  return EventsController;
}
