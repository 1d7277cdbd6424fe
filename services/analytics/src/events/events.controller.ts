import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { filterOf, readerOf, STREAMS, type EventPayload } from '@refinery/contracts';
import { JetStreamConsumer, type InboundMessage } from '@refinery/messaging';
import { behaviorRow, enrichmentRow, feedbackRow, orderRow } from './event-rows';
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
      durable: durable('enriched', tenant),
      stream: STREAMS.ENRICHMENT.name,
      filterSubject: filterOf('enrichment.completed', { tenant }),
      schema: readerOf('enrichment.completed', { input: true, stages: true, completed_at: true }),
      batchSize: 500,
    })
    async enriched(@Payload() batch: InboundMessage<EventPayload<'enrichment.completed'>>[]) {
      await this.events.save(
        batch.map(({ data: event }) => {
          const { input, stages } = event.data;
          const payload = input.payload as Record<string, unknown>;
          return enrichmentRow(
            event.tenant,
            event.record_id,
            {
              record_type: input.record_type,
              order_number: payload.order_number,
              label: stages.classification.output?.ai_label ?? null,
              confidence: stages.classification.output?.ai_confidence ?? null,
              action: stages.resolution.output?.action ?? null,
              classification_model: stages.classification.model_version,
              resolution_model: stages.resolution.model_version,
            },
            event.data.completed_at,
          );
        }),
      );
    }

    @JetStreamConsumer({
      durable: durable('feedback', tenant),
      stream: STREAMS.LEARNING.name,
      filterSubject: filterOf('feedback.recorded', { tenant }),
      schema: readerOf('feedback.recorded', true),
      batchSize: 500,
    })
    async feedback(@Payload() batch: InboundMessage<EventPayload<'feedback.recorded'>>[]) {
      await this.events.save(
        batch.map(({ data: event }) =>
          feedbackRow(event.tenant, event.record_id, event.data, event.occurred_at),
        ),
      );
    }
  }
  return EventsController;
}
