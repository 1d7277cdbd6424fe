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
import { PublishModelsUseCase } from './registry/publish-models.use-case';

/** Applying approved items, refreshing the views and announcing the models, each on its interval. */
@Injectable()
export class Schedules implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('learning');
  private readonly apply: Periodic;
  private readonly refresh: Periodic;
  private readonly republish: Periodic;

  constructor(
    applyLearnings: ApplyLearningsUseCase,
    metrics: LearningMetricsRepository,
    private readonly models: PublishModelsUseCase,
    @Inject(LEARNING_CONFIG) private readonly config: LearningConfig,
  ) {
    this.apply = new Periodic('applying learnings', () => applyLearnings.execute(), this.log);
    this.refresh = new Periodic('refreshing the learning views', () => metrics.refresh(), this.log);
    this.republish = new Periodic('announcing the models', () => models.republishAll(), this.log);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.apply.start(this.config.LEARNING_APPLY_INTERVAL);
    this.refresh.start(this.config.LEARNING_REFRESH_INTERVAL);
    this.republish.start(this.config.LEARNING_REPUBLISH_INTERVAL);
    // Also covers a crash between a promotion's commit and its announcement.
    if (this.config.LEARNING_REPUBLISH_INTERVAL > 0) {
      await this.models.republishAll().catch((error: unknown) => {
        this.log.error(`could not announce the serving models again: ${String(error)}`);
      });
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.apply.stop(), this.refresh.stop(), this.republish.stop()]);
  }
}
