import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '@refinery/runtime';
import { LEARNING_CONFIG, type LearningConfig } from '../config';
import { type Interaction, InteractionsRepository } from './interactions.repository';

/**
 * The interaction that feedback is about. Learning knows a record once it is enriched (or
 * sent for review); feedback given right after the result went out may come a moment before
 * the event, so the request waits up to LEARNING_RECORD_GRACE (2 s) before answering 404.
 */
@Injectable()
export class AwaitInteraction {
  constructor(
    private readonly interactions: InteractionsRepository,
    @Inject(LEARNING_CONFIG) private readonly config: LearningConfig,
  ) {}

  async execute(tenant: string, recordId: string): Promise<Interaction> {
    const deadline = Date.now() + this.config.LEARNING_RECORD_GRACE;
    for (;;) {
      const found = await this.interactions.find(tenant, recordId);
      if (found) return found;
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw notFound(
      `record ${recordId} is not known to learning: a record is known once it is enriched or sent for review; ` +
        `retry when its enrichment.completed event is out`,
    );
  }
}
