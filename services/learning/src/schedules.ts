import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { exclusively } from '@refinery/persistence';
import { Periodic } from '@refinery/runtime';
import { DataSource } from 'typeorm';
import { LEARNING_CONFIG, type LearningConfig } from './config';
import { LearningMetricsRepository } from './metrics/learning-metrics.repository';
import { ApplyLearningsUseCase } from './queue/apply-learnings.use-case';
import { PublishModelsUseCase } from './registry/publish-models.use-case';

/**
 * Applying approved items, refreshing the views and announcing the models, each on its
 * interval and by one replica at a time.
 */
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
    db: DataSource,
    @Inject(LEARNING_CONFIG) private readonly config: LearningConfig,
  ) {
    const round = (what: string, key: string, task: () => Promise<unknown>) =>
      new Periodic(what, exclusively(db, `learning:${key}`, task), this.log);
    this.apply = round('applying learnings', 'apply', () => applyLearnings.execute());
    this.refresh = round('refreshing the learning views', 'refresh', () => metrics.refresh());
    this.republish = round('announcing the models', 'republish', () => models.republishAll());
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
