import { Injectable } from '@nestjs/common';
import { notFound, problemFor, ProblemException } from '@refinery/runtime';
import type { Author } from '../feedback/feedback.commands';
import type { QueueItem } from './queue-item';
import { QueueRepository } from './queue.repository';

/** A person approves or rejects a pending item; the audit log records who and when. */
@Injectable()
export class DecideItemUseCase {
  constructor(private readonly queue: QueueRepository) {}

  async execute(
    author: Author,
    id: string,
    to: 'approved' | 'rejected',
    note: string | null,
  ): Promise<QueueItem> {
    return this.queue.transaction(author.actor, note, async (tx) => {
      const decided = await this.queue.decide(tx, author.tenant, id, to, author.actor);
      if (decided) return decided;
      const item = await this.queue.find(author.tenant, id, tx);
      if (!item) throw notFound(`no learning item ${id} for this tenant`);
      throw new ProblemException(
        problemFor(
          409,
          `learning item ${id} is ${item.status}, not pending: only a pending item can be ${to}`,
        ),
      );
    });
  }
}
