import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { filterOf, STREAMS } from '@refinery/contracts';
import { InboundMessage, JetStreamConsumer } from '@refinery/messaging';
import { deterministicUuid } from '../records/record-id';
import { IngestMessagesUseCase } from './ingest-messages.use-case';

@Controller()
export class IngestMessagesController {
  constructor(private readonly ingest: IngestMessagesUseCase) {}

  // Bodies arrive as bytes: one that is not UTF-8 or not JSON is a rejection to keep, not a dead letter.
  @JetStreamConsumer({
    durable: 'ingestion',
    stream: STREAMS.INGEST.name,
    filterSubject: filterOf('ingest'),
    batchSize: 250,
    decode: 'bytes',
  })
  ingestMessages(@Payload() batch: InboundMessage<Uint8Array>[]): Promise<void> {
    return this.ingest.execute(
      batch.map((m) => ({
        subject: m.subject,
        // Sequences start again in a stream created anew: the stored time tells the messages apart.
        rejectionId: deterministicUuid(
          'rejection',
          m.stream,
          String(m.sequence),
          String(m.storedAt),
        ),
        body: m.data,
      })),
    );
  }
}
