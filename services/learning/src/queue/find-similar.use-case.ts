import { Inject, Injectable } from '@nestjs/common';
import { parseInput } from '@refinery/runtime';
import { z } from 'zod';
import { LEARNING_CONFIG, type LearningConfig } from '../config';
import { givenParams } from '../shared/query';
import { Deduplicate } from './deduplicate';
import { QueueRepository, type Similar } from './queue.repository';

const QuerySchema = z.strictObject({
  text: z.string().trim().min(1, 'give the text to compare').max(10_000),
  threshold: z.coerce.number().min(0).max(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

/** The tenant's learning items that say what a text says, most similar first. */
@Injectable()
export class FindSimilarUseCase {
  constructor(
    private readonly queue: QueueRepository,
    private readonly deduplicate: Deduplicate,
    @Inject(LEARNING_CONFIG) private readonly config: LearningConfig,
  ) {}

  async execute(
    tenant: string,
    query: Record<string, string | undefined>,
  ): Promise<{ items: Similar[]; threshold: number }> {
    const parsed = parseInput(QuerySchema, givenParams(query), 'query');
    const threshold = parsed.threshold ?? this.config.LEARNING_SIMILARITY_THRESHOLD;
    const embedding = await this.deduplicate.embed(parsed.text);
    const items = await this.queue.similar(
      this.queue.db,
      tenant,
      parsed.text,
      embedding,
      threshold,
      parsed.limit,
    );
    return { items, threshold };
  }
}
