import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LEARNING_CONFIG, type LearningConfig } from '../config';
import { EMBEDDER, type TextEmbedder } from '../shared/embedder';
import { QueueRepository } from './queue.repository';

/**
 * Gives a new item its embedding and, when it says what a pending, approved or applied item of
 * the tenant already says (cosine similarity at or above the threshold), links it to that item
 * as a duplicate instead of queueing it twice. Runs in the transaction that made the item.
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
    await this.queue.setEmbedding(tx, tenant, itemId, embedding);
    const [match] = await this.queue.similar(
      tx,
      tenant,
      content,
      embedding,
      this.config.LEARNING_SIMILARITY_THRESHOLD,
      1,
      itemId,
    );
    if (!match) return null;
    await this.queue.markDuplicate(tx, tenant, itemId, match.id);
    return match.id;
  }
}
