import { Injectable } from '@nestjs/common';
import { notFound } from '@refinery/runtime';
import type { RunsQuery } from './runs.command';
import { RunsRepository } from './runs.repository';

/** Stored runs: recent ones without their results, or one with every result. */
@Injectable()
export class GetRunsUseCase {
  constructor(private readonly runs: RunsRepository) {}

  async recent({ limit, trigger }: RunsQuery) {
    return { runs: await this.runs.recent(limit, trigger) };
  }

  async execute(id: string) {
    const run = await this.runs.find(id);
    if (!run) throw notFound(`run ${id} does not exist`);
    return run;
  }
}
