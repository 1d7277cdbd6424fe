import { Injectable } from '@nestjs/common';
import { eventOf } from '@refinery/contracts';
import { JetStreamPublisher } from '@refinery/messaging';
import { AwaitInteraction } from '../interactions/await-interaction';
import { feedbackCounter } from '../metrics/learning-metrics';
import { Deduplicate } from '../queue/deduplicate';
import type { QueueItem } from '../queue/queue-item';
import { QueueRepository } from '../queue/queue.repository';
import type { RecordRatingCommand } from './feedback.commands';
import { FeedbackRepository } from './feedback.repository';

export interface RatingRecorded {
  id: string;
  record_id: string;
  /** The learning item negative feedback enqueued (the database trigger does), or null. */
  learning_item: QueueItem | null;
}

/** A rating is stored; negative feedback becomes a learning item, linked when it repeats one. */
@Injectable()
export class RecordRatingUseCase {
  constructor(
    private readonly interaction: AwaitInteraction,
    private readonly feedback: FeedbackRepository,
    private readonly queue: QueueRepository,
    private readonly deduplicate: Deduplicate,
    private readonly publisher: JetStreamPublisher,
  ) {}

  async execute({ author, body }: RecordRatingCommand): Promise<RatingRecorded> {
    const interaction = await this.interaction.execute(author.tenant, body.record_id);
    const { id, item } = await this.queue.transaction(author.actor, null, async (tx) => {
      const id = await this.feedback.insertRating(tx, author, interaction.id, body);
      const created = await this.queue.bySource(tx, author.tenant, 'feedback', id);
      if (created) {
        const embedding = await this.deduplicate.embed(created.content);
        await this.deduplicate.execute(tx, author.tenant, created.id, created.content, embedding);
      }
      return { id, item: created && (await this.queue.find(author.tenant, created.id, tx)) };
    });
    await this.publisher.publishMany([
      eventOf('feedback.recorded', {
        id: `feedback.recorded:${id}`,
        tenant: author.tenant,
        occurred_at: new Date().toISOString(),
        record_id: interaction.id,
        data: {
          feedback_id: id,
          feedback_type: body.feedback_type,
          rating: body.rating ?? null,
          reason: body.reason ?? null,
          learning_item_id: item?.id ?? null,
        },
      }),
    ]);
    const negative = body.feedback_type === 'thumbs_down' || (body.rating ?? 5) <= 2;
    feedbackCounter().inc({
      tenant: author.tenant,
      type: body.feedback_type,
      negative: String(negative),
    });
    return { id, record_id: interaction.id, learning_item: item ?? null };
  }
}
