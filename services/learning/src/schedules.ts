import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Periodic } from '@refinery/runtime';
import { LEARNING_CONFIG, type LearningConfig } from './config';
import { LearningMetricsRepository } from './metrics/learning-metrics.repository';
import { ApplyLearningsUseCase } from './queue/apply-learnings.use-case';

/** Applying approved items and refreshing the views, each on its interval. */
@Injectable()
export class Schedules implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('learning');
  private readonly apply: Periodic;
  private readonly refresh: Periodic;

  constructor(
    applyLearnings: ApplyLearningsUseCase,
    metrics: LearningMetricsRepository,
    @Inject(LEARNING_CONFIG) private readonly config: LearningConfig,
  ) {
    this.apply = new Periodic('applying learnings', () => applyLearnings.execute(), this.log);
    this.refresh = new Periodic('refreshing the learning views', () => metrics.refresh(), this.log);
  }

  onApplicationBootstrap(): void {
    this.apply.start(this.config.LEARNING_APPLY_INTERVAL);
    this.refresh.start(this.config.LEARNING_REFRESH_INTERVAL);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.apply.stop(), this.refresh.stop()]);
  }
}
