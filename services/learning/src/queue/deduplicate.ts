import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LEARNING_CONFIG, type LearningConfig } from '../config';
import { EMBEDDER, type TextEmbedder } from '../shared/embedder';
import { QueueRepository } from './queue.repository';

/**
 * Links a new item to a pending, approved or applied item of the tenant that already says what
 * it says (cosine similarity at or above the threshold), as a duplicate instead of queueing it
 * twice; otherwise gives it its embedding. Runs in the transaction that made the item. A
 * duplicate gets no embedding: it is never compared again, and a search that had to walk past
 * every duplicate's vector to reach a live item would grow with them.
 */
@Injectable()
export class Deduplicate {
  constructor(
    private readonly queue: QueueRepository,
    @Inject(EMBEDDER) private readonly embedder: TextEmbedder,
    @Inject(LEARNING_CONFIG) private readonly config: LearningConfig,
  ) {}

  embed(text: string): Promise<number[]> {
    return this.embedder.embed([text]).then(([vector]) => vector);
  }

  /** Returns the item it duplicates, or null. */
  async execute(
    tx: EntityManager,
    tenant: string,
    itemId: string,
    content: string,
    embedding: number[],
  ): Promise<string | null> {
    const [match] = await this.queue.similar(
      tx,
      tenant,
      content,
      embedding,
      this.config.LEARNING_SIMILARITY_THRESHOLD,
      1,
      itemId,
    );
    if (!match) {
      await this.queue.setEmbedding(tx, tenant, itemId, embedding);
      return null;
    }
    await this.queue.markDuplicate(tx, tenant, itemId, match.id);
    return match.id;
  }
}
