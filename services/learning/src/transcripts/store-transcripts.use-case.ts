import { Injectable } from '@nestjs/common';
import { Deduplicate } from '../queue/deduplicate';
import { QueueRepository } from '../queue/queue.repository';
import { entitiesOf } from './entities';
import { sentimentOf } from './sentiment';
import { TranscriptsRepository } from './transcripts.repository';

/** A call or chat about an order, as ingestion accepted it. */
export interface Transcript {
  id: string;
  tenant: string;
  order_number: string;
  channel: string;
  text: string;
  turns?: Array<{ speaker: string; text: string }>;
}

const EXCERPT = 2_000;

/**
 * Stores each transcript with its sentiment, entities and embedding. A negative one (judged
 * on what the customer said, when the turns tell) becomes a learning item about its order,
 * linked to an existing item instead when it says the same.
 */
@Injectable()
export class StoreTranscriptsUseCase {
  constructor(
    private readonly transcripts: TranscriptsRepository,
    private readonly queue: QueueRepository,
    private readonly deduplicate: Deduplicate,
  ) {}

  async execute(batch: readonly Transcript[]): Promise<void> {
    for (const t of batch) {
      const customerWords = t.turns
        ?.filter((turn) => turn.speaker === 'customer')
        .map((turn) => turn.text);
      const { sentiment } = sentimentOf(customerWords?.length ? customerWords.join(' ') : t.text);
      const entities = entitiesOf(t.text, t.order_number);
      const content = t.text.slice(0, EXCERPT);
      const embedding = await this.deduplicate.embed(content);
      await this.queue.transaction('transcripts', null, async (tx) => {
        const stored = await this.transcripts.insert(tx, {
          ...t,
          transcript: t.text,
          sentiment,
          entities,
          embedding,
        });
        if (!stored || sentiment !== 'negative') return;
        const itemId = await this.queue.insert(tx, {
          tenant: t.tenant,
          source_type: 'transcript',
          source_id: t.id,
          record_id: null,
          content,
          proposed_content: {
            order_number: t.order_number,
            channel: t.channel,
            sentiment,
            entities,
            excerpt: content,
          },
          confidence_score: 50,
        });
        if (itemId) await this.deduplicate.execute(tx, t.tenant, itemId, content, embedding);
      });
    }
  }
}
