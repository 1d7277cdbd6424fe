import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Periodic } from '@refinery/runtime';
import { ANALYTICS_CONFIG, type AnalyticsConfig } from './config';
import { RetentionRepository } from './retention/retention.repository';

/** Refreshing mv_cohort_retention on its interval. */
@Injectable()
export class Schedules implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly refresh: Periodic;

  constructor(
    retention: RetentionRepository,
    @Inject(ANALYTICS_CONFIG) private readonly config: AnalyticsConfig,
  ) {
    this.refresh = new Periodic(
      'refreshing mv_cohort_retention',
      () => retention.refresh(),
      new Logger('analytics'),
    );
  }

  onApplicationBootstrap(): void {
    this.refresh.start(this.config.ANALYTICS_REFRESH_INTERVAL);
  }

  async onModuleDestroy(): Promise<void> {
    await this.refresh.stop();
  }
}
