import { Inject, Injectable } from '@nestjs/common';
import { ACTIONS, AI_LABELS } from '@refinery/contracts';
import { parseInput } from '@refinery/runtime';
import { z } from 'zod';
import { LEARNING_CONFIG, type LearningConfig } from '../config';
import { givenParams } from '../shared/query';
import type { ReviewItem } from './review-item';
import { ReviewRepository } from './review.repository';

const QuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface ReviewQueue {
  items: ReviewItem[];
  /** Every record waiting, beyond the page too. */
  total: number;
  /** What a correction may say, in the order the console's keys pick them. */
  choices: { labels: readonly string[]; actions: readonly string[] };
}

/** The tenant's records waiting for a person, oldest waiting first. */
@Injectable()
export class ListReviewQueueUseCase {
  constructor(
    private readonly review: ReviewRepository,
    @Inject(LEARNING_CONFIG) private readonly config: LearningConfig,
  ) {}

  async execute(tenant: string, query: { limit?: string }): Promise<ReviewQueue> {
    const { limit } = parseInput(QuerySchema, givenParams(query), 'query');
    const waiting = await this.review.waiting(
      tenant,
      this.config.LEARNING_REVIEW_CONFIDENCE,
      limit,
    );
    return { ...waiting, choices: { labels: AI_LABELS, actions: ACTIONS } };
  }
}
