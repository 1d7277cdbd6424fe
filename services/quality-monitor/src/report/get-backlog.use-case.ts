import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { parseInput } from '@refinery/runtime';
import { ReportRepository } from './report.repository';

const LimitSchema = z.coerce.number().int().min(1).max(1000).default(100);

/** `GET backlog/:tenant?limit=`: how many records to list, 1 to 1,000 (100). */
export class BacklogCommand {
  private constructor(
    readonly tenant: string,
    readonly limit: number,
  ) {}

  static from(tenant: string, limit: unknown): BacklogCommand {
    return new BacklogCommand(tenant, parseInput(LimitSchema, limit, 'limit'));
  }
}

/** Records awaiting processing, oldest first, with each stage's status. */
@Injectable()
export class GetBacklogUseCase {
  constructor(private readonly reports: ReportRepository) {}

  async execute({ tenant, limit }: BacklogCommand) {
    return { tenant, records: await this.reports.backlog(tenant, limit) };
  }
}
