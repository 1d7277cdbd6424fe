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
import { ANALYTICS_CONFIG, type AnalyticsConfig } from './config';
import { RetentionRepository } from './retention/retention.repository';

/** Refreshing mv_cohort_retention on its interval, by one replica at a time. */
@Injectable()
export class Schedules implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly refresh: Periodic;

  constructor(
    retention: RetentionRepository,
    db: DataSource,
    @Inject(ANALYTICS_CONFIG) private readonly config: AnalyticsConfig,
  ) {
    this.refresh = new Periodic(
      'refreshing mv_cohort_retention',
      exclusively(db, 'analytics:refresh', () => retention.refresh()),
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
