import { Injectable, Logger } from '@nestjs/common';
import { eventOf } from '@refinery/contracts';
import { JetStreamPublisher } from '@refinery/messaging';
import { appliedCounter } from '../metrics/learning-metrics';
import type { QueueItem } from './queue-item';
import { QueueRepository } from './queue.repository';

export interface ApplyResult {
  applied: number;
  published: number;
}

const BATCH = 100;

/**
 * Applies approved items (the design's batch_process_learning: FOR UPDATE SKIP LOCKED, so
 * workers never apply an item twice), then announces each applied item once on
 * learning.applied: the rows are locked while their events go out, the event id is the item's
 * (JetStream drops a republish), and published_at is set in the same transaction.
 */
@Injectable()
export class ApplyLearningsUseCase {
  private readonly log = new Logger('ApplyLearnings');
  private pending?: Promise<ApplyResult>;

  constructor(
    private readonly queue: QueueRepository,
    private readonly publisher: JetStreamPublisher,
  ) {}

  async execute(): Promise<ApplyResult> {
    let applied = 0;
    for (let n = BATCH; n === BATCH; applied += n) n = await this.queue.applyApproved(BATCH);
    let published = 0;
    for (let n = BATCH; n === BATCH; published += n) n = await this.publishBatch();
    return { applied, published };
  }

  /** Runs soon, without the caller waiting (an urgent correction); one run at a time. */
  soon(): void {
    this.pending ??= this.execute()
      .catch((error: unknown) => {
        this.log.error(`applying learnings failed: ${(error as Error).message}`);
        return { applied: 0, published: 0 };
      })
      .finally(() => (this.pending = undefined));
  }

  private publishBatch(): Promise<number> {
    return this.queue.transaction('system', null, async (tx) => {
      const items = await this.queue.unpublished(tx, BATCH);
      if (items.length === 0) return 0;
      await this.publisher.publishMany(items.map(appliedEvent));
      await this.queue.markPublished(
        tx,
        items.map((item) => item.id),
      );
      appliedCounter().inc(items.length);
      return items.length;
    });
  }
}

function appliedEvent(item: QueueItem) {
  const content = item.proposed_content as Record<string, unknown>;
  const expected = (content.corrected_answer ?? content.expected_output ?? {}) as Record<
    string,
    unknown
  >;
  const original = (content.original_response ?? content.answer ?? null) as Record<
    string,
    unknown
  > | null;
  return eventOf('learning.applied', {
    id: `learning.applied:${item.id}`,
    tenant: item.tenant,
    occurred_at: new Date(item.applied_at ?? Date.now()).toISOString(),
    record_id: item.record_id,
    data: {
      item_id: item.id,
      source_type: item.source_type,
      source_id: item.source_id,
      input: (content.input ?? {}) as Record<string, unknown>,
      expected_output: expected,
      original_output: original,
      reason: typeof content.reason === 'string' ? content.reason : null,
      confidence_score: item.confidence_score,
      approved_by: item.decided_by ?? 'system',
      applied_at: new Date(item.applied_at ?? Date.now()).toISOString(),
    },
  });
}
