import { Injectable } from '@nestjs/common';
import { eventOf, type EventPayload } from '@refinery/contracts';
import { JetStreamPublisher } from '@refinery/messaging';
import { AwaitInteraction } from '../interactions/await-interaction';
import { ApplyLearningsUseCase } from '../queue/apply-learnings.use-case';
import { Deduplicate } from '../queue/deduplicate';
import type { QueueItem } from '../queue/queue-item';
import { QueueRepository } from '../queue/queue.repository';
import type { RecordCorrectionCommand } from './feedback.commands';
import { FeedbackRepository } from './feedback.repository';

type Answer = EventPayload<'corrections.recorded'>['data']['original_response'];

export interface CorrectionRecorded {
  id: string;
  record_id: string;
  learning_item: QueueItem;
}

/**
 * A correction is stored and, by the database trigger, becomes a high-confidence learning
 * item: approved at once when urgent, pending otherwise, linked instead when it repeats an
 * item the tenant has. An urgent one is applied and announced right away.
 */
@Injectable()
export class RecordCorrectionUseCase {
  constructor(
    private readonly interaction: AwaitInteraction,
    private readonly feedback: FeedbackRepository,
    private readonly queue: QueueRepository,
    private readonly deduplicate: Deduplicate,
    private readonly apply: ApplyLearningsUseCase,
    private readonly publisher: JetStreamPublisher,
  ) {}

  async execute({ author, body }: RecordCorrectionCommand): Promise<CorrectionRecorded> {
    const interaction = await this.interaction.execute(author.tenant, body.record_id);
    const original = { label: interaction.label, action: interaction.action } as Answer;
    const corrected = {
      label: body.corrected_answer.label ?? interaction.label,
      action: body.corrected_answer.action ?? interaction.action,
    } as Answer;
    const { id, item } = await this.queue.transaction(
      author.actor,
      body.reason ?? null,
      async (tx) => {
        const id = await this.feedback.insertCorrection(
          tx,
          author,
          interaction.id,
          original,
          corrected,
          body,
        );
        const created = (await this.queue.bySource(
          tx,
          author.tenant,
          'correction',
          id,
        )) as QueueItem;
        const embedding = await this.deduplicate.embed(created.content);
        await this.deduplicate.execute(tx, author.tenant, created.id, created.content, embedding);
        return { id, item: (await this.queue.find(author.tenant, created.id, tx)) as QueueItem };
      },
    );
    await this.publisher.publishMany([
      eventOf('corrections.recorded', {
        id: `corrections.recorded:${id}`,
        tenant: author.tenant,
        occurred_at: new Date().toISOString(),
        record_id: interaction.id,
        data: {
          correction_id: id,
          original_response: original,
          corrected_answer: corrected,
          priority: body.priority,
          reason: body.reason ?? null,
          learning_item_id: item.id,
        },
      }),
    ]);
    if (item.status === 'approved') this.apply.soon();
    return { id, record_id: interaction.id, learning_item: item };
  }
}
