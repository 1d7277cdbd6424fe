import { DynamicModule, Module } from '@nestjs/common';
import { retentionJob } from '@refinery/persistence';
import { ServiceModule } from '@refinery/runtime';
import { AttributionController } from './attribution/attribution.controller';
import { JourneysRepository } from './attribution/journeys.repository';
import { ANALYTICS_CONFIG, ANALYTICS_RETENTION, type AnalyticsConfig } from './config';
import { entities, migrations, SCHEMA } from './data-source';
import { eventsController } from './events/events.controller';
import { EventsQueryController } from './events/events-query.controller';
import { EventsRepository } from './events/events.repository';
import { ExperimentsController } from './experiments/experiments.controller';
import { ExposuresRepository } from './experiments/exposures.repository';
import { StatsController } from './experiments/stats.controller';
import { FunnelsController } from './funnels/funnels.controller';
import { FunnelsUseCase } from './funnels/funnels.use-case';
import { ChurnController } from './retention/churn.controller';
import { CustomersRepository } from './retention/customers.repository';
import { ModelsController } from './models/models.controller';
import { RetentionController } from './retention/retention.controller';
import { RetentionRepository } from './retention/retention.repository';
import { Schedules } from './schedules';

@Module({})
export class AppModule {
  static forRoot(config: AnalyticsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: 'analytics',
          natsUrl: config.NATS_URL,
          auth: config,
          schema: SCHEMA,
          entities,
          migrations,
        }),
      ],
      controllers: [
        eventsController(config.ANALYTICS_TENANT),
        EventsQueryController,
        RetentionController,
        ChurnController,
        FunnelsController,
        AttributionController,
        ExperimentsController,
        StatsController,
        ModelsController,
      ],
      providers: [
        { provide: ANALYTICS_CONFIG, useValue: config },
        EventsRepository,
        RetentionRepository,
        CustomersRepository,
        FunnelsUseCase,
        JourneysRepository,
        ExposuresRepository,
        Schedules,
        retentionJob(ANALYTICS_RETENTION, config),
      ],
    };
  }
}
