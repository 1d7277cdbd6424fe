import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { filterOf, readerOf, STREAMS, type EventPayload } from '@refinery/contracts';
import { JetStreamConsumer, type InboundMessage } from '@refinery/messaging';
import { completedExplanation, reviewExplanation } from './explanation-rows';
import { completedRows, reviewRow } from './interaction-rows';
import { InteractionsRepository } from './interactions.repository';

/** `learning-<name>`, or `learning-<name>_<tenant>` for a learning service of one tenant. */
export const learningDurable = (name: string, tenant?: string) =>
  `learning-${name}${tenant ? `_${tenant}` : ''}`;

/** Every enriched record and every review request becomes an interaction, in batches. */
export function interactionsController(tenant?: string): Type {
  @Controller()
  class InteractionsController {
    constructor(private readonly interactions: InteractionsRepository) {}

    @JetStreamConsumer({
      durable: learningDurable('completed', tenant),
      stream: STREAMS.ENRICHMENT.name,
      filterSubject: filterOf('enrichment.completed', { tenant }),
      schema: readerOf('enrichment.completed', { input: true, stages: true, completed_at: true }),
      batchSize: 200,
    })
    async completed(
      @Payload() batch: InboundMessage<EventPayload<'enrichment.completed'>>[],
    ): Promise<void> {
      const rows = batch.map((m) => completedRows(m.data));
      await this.interactions.save(
        rows.map((r) => r.interaction),
        rows.flatMap((r) => r.responses),
      );
      await this.interactions.saveExplanations(
        batch.map((m) => completedExplanation(m.data)).filter((r) => r !== null),
      );
    }

    @JetStreamConsumer({
      durable: learningDurable('reviews', tenant),
      stream: STREAMS.LEARNING.name,
      filterSubject: filterOf('review.requested', { tenant }),
      schema: readerOf('review.requested', true),
      batchSize: 200,
    })
    async reviews(
      @Payload() batch: InboundMessage<EventPayload<'review.requested'>>[],
    ): Promise<void> {
      await this.interactions.save(
        batch.map((m) => reviewRow(m.data)),
        [],
      );
      await this.interactions.saveExplanations(
        batch.map((m) => reviewExplanation(m.data)).filter((r) => r !== null),
      );
    }
  }
  return InteractionsController;
}
