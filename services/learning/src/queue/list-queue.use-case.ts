import { Injectable } from '@nestjs/common';
import { LEARNING_STATUSES } from '@refinery/contracts';
import { parseInput } from '@refinery/runtime';
import { z } from 'zod';
import { givenParams } from '../shared/query';
import type { QueueItem } from './queue-item';
import { QueueRepository } from './queue.repository';

const QuerySchema = z.strictObject({
  status: z.enum(LEARNING_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** A tenant's queue: one status oldest first, or everything newest first. */
@Injectable()
export class ListQueueUseCase {
  constructor(private readonly queue: QueueRepository) {}

  async execute(
    tenant: string,
    query: { status?: string; limit?: string },
  ): Promise<{ items: QueueItem[] }> {
    const { status, limit } = parseInput(QuerySchema, givenParams(query), 'query');
    return { items: await this.queue.list(tenant, status, limit) };
  }
}
