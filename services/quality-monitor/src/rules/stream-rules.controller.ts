import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EVENTS, filterOf, STREAMS, type EventPayload } from '@refinery/contracts';
import { JetStreamConsumer, type InboundMessage } from '@refinery/messaging';
import { StreamRulesUseCase } from './stream-rules.use-case';

/**
 * A durable of its own on records.received, so payload rules neither slow down nor share
 * retries with the state projection. With a tenant, it follows only that tenant.
 */
export function streamRulesController(tenant?: string): Type {
  @Controller()
  class StreamRulesController {
    constructor(private readonly stream: StreamRulesUseCase) {}

    @JetStreamConsumer({
      durable: `quality-monitor-rules${tenant ? `_${tenant}` : ''}`,
      stream: STREAMS.RECORDS.name,
      filterSubject: filterOf('records.received', tenant ? { tenant } : {}),
      schema: EVENTS['records.received'].schema,
      batchSize: 200,
    })
    received(@Payload() batch: InboundMessage<EventPayload<'records.received'>>[]): Promise<void> {
      return this.stream.execute(batch.map((m) => m.data));
    }
  }
  return StreamRulesController;
}
