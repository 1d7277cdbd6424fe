import { Controller, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { filterOf, readerOf, STREAMS, type EventPayload } from '@refinery/contracts';
import { JetStreamConsumer, type InboundMessage } from '@refinery/messaging';
import { learningDurable } from '../interactions/interactions.controller';
import { StoreTranscriptsUseCase, type Transcript } from './store-transcripts.use-case';

type Received = EventPayload<'records.received'>;

/** Transcripts as ingestion accepted them; they never enter enrichment. */
export function transcriptsController(tenant?: string): Type {
  @Controller()
  class TranscriptsController {
    constructor(private readonly store: StoreTranscriptsUseCase) {}

    @JetStreamConsumer({
      durable: learningDurable('transcripts', tenant),
      stream: STREAMS.RECORDS.name,
      filterSubject: filterOf('records.received', { tenant, type: 'transcript' }),
      schema: readerOf('records.received', true),
      batchSize: 50,
    })
    async received(@Payload() batch: InboundMessage<Received>[]): Promise<void> {
      await this.store.execute(batch.flatMap((m) => transcriptOf(m.data)));
    }
  }
  return TranscriptsController;
}

function transcriptOf(event: Received): Transcript[] {
  const input = event.data as { record_type: string; payload: Record<string, unknown> };
  if (input.record_type !== 'transcript') return [];
  const payload = input.payload as {
    order_number: string;
    channel: string;
    text: string;
    turns?: Transcript['turns'];
  };
  return [
    {
      id: event.record_id,
      tenant: event.tenant,
      order_number: payload.order_number,
      channel: payload.channel,
      text: payload.text,
      turns: payload.turns,
    },
  ];
}
