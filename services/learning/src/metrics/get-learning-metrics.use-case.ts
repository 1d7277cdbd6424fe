import { Injectable } from '@nestjs/common';
import { parseInput } from '@refinery/runtime';
import { z } from 'zod';
import { LearningMetricsRepository } from './learning-metrics.repository';

const DaysSchema = z.coerce.number().int().min(1).max(3650).default(30);

/** What the views say for a tenant; they are as fresh as their last refresh. */
@Injectable()
export class GetLearningMetricsUseCase {
  constructor(private readonly repository: LearningMetricsRepository) {}

  async execute(tenant: string, days: string | undefined) {
    const span = parseInput(DaysSchema, days, 'query.days');
    const [daily, responses] = await Promise.all([
      this.repository.daily(tenant, span),
      this.repository.responses(tenant, span),
    ]);
    return {
      tenant,
      days: span,
      daily_learning_metrics: daily,
      response_performance_metrics: responses,
    };
  }

  async refresh(): Promise<{ refreshed_ms: Record<string, number> }> {
    return { refreshed_ms: await this.repository.refresh() };
  }
}
