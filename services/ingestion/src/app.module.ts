import { DynamicModule, Module } from '@nestjs/common';
import { retentionJob } from '@refinery/persistence';
import { ServiceModule } from '@refinery/runtime';
import { DlqAdminController } from './admin/dlq-admin.controller';
import { ManageTenantsUseCase } from './admin/manage-tenants.use-case';
import { TenantsAdminController } from './admin/tenants-admin.controller';
import { BehaviorController } from './behavior/behavior.controller';
import { PublishBehaviorUseCase } from './behavior/publish-behavior.use-case';
import { INGESTION_CONFIG, INGESTION_RETENTION, IngestionConfig } from './config';
import { entities, migrations, SCHEMA } from './data-source';
import { ManageDeadLettersUseCase } from './dlq/manage-dead-letters.use-case';
import { IngestMessagesController } from './nats-intake/ingest-messages.controller';
import { IngestMessagesUseCase } from './nats-intake/ingest-messages.use-case';
import { AcceptRecordsUseCase } from './records/accept-records.use-case';
import { IngestEventsController } from './records/ingest-events.controller';
import { IngestEventsUseCase } from './records/ingest-events.use-case';
import { RecordsRepository } from './records/records.repository';
import { RejectMessagesUseCase } from './rejections/reject-messages.use-case';
import { DemoTenantInitializer } from './tenants/demo-tenant.initializer';
import { RateLimiter } from './tenants/rate-limiter';

@Module({})
export class AppModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: 'ingestion',
          natsUrl: config.NATS_URL,
          auth: config,
          schema: SCHEMA,
          entities,
          migrations,
        }),
      ],
      controllers: [
        IngestEventsController,
        BehaviorController,
        IngestMessagesController,
        TenantsAdminController,
        DlqAdminController,
      ],
      providers: [
        { provide: INGESTION_CONFIG, useValue: config },
        RateLimiter,
        AcceptRecordsUseCase,
        DemoTenantInitializer,
        IngestEventsUseCase,
        IngestMessagesUseCase,
        ManageDeadLettersUseCase,
        ManageTenantsUseCase,
        PublishBehaviorUseCase,
        RecordsRepository,
        RejectMessagesUseCase,
        retentionJob(INGESTION_RETENTION, config),
      ],
    };
  }
}
