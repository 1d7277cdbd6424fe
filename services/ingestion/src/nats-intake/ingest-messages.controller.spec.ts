import { ROOT_CONTEXT } from '@opentelemetry/api';
import { subjectOf } from '@refinery/contracts';
import type { InboundMessage } from '@refinery/messaging';
import { IngestMessagesController } from './ingest-messages.controller';
import type { IngestMessage, IngestMessagesUseCase } from './ingest-messages.use-case';

const delivered = (sequence: number, storedAt: bigint): InboundMessage<Uint8Array> => ({
  data: new TextEncoder().encode('{not json'),
  subject: subjectOf('ingest', { tenant: 'acme', type: 'order' }),
  headers: {},
  stream: 'INGEST',
  sequence,
  storedAt,
  deliveryCount: 1,
  traceContext: ROOT_CONTEXT,
});

describe('IngestMessagesController', () => {
  it("names a rejection after its message: a redelivery gets the same id, a stream's restarted sequence another", async () => {
    const handed: IngestMessage[] = [];
    const useCase = { execute: async (batch: IngestMessage[]) => void handed.push(...batch) };
    const controller = new IngestMessagesController(useCase as unknown as IngestMessagesUseCase);
    const stored = 1_796_000_000_000_000_000n;

    await controller.ingestMessages([
      delivered(7, stored),
      delivered(7, stored),
      // Sequence 7 again, in the stream as created anew after the first was deleted.
      delivered(7, stored + 86_400_000_000_000n),
      delivered(8, stored),
    ]);

    const [first, redelivered, restarted, next] = handed.map((m) => m.rejectionId);
    expect(redelivered).toBe(first);
    expect(new Set([first, restarted, next]).size).toBe(3);
  });
});
