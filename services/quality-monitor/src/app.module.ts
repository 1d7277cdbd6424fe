import { DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '@refinery/contracts';
import { NATS_CONNECTION } from '@refinery/messaging';
import { ServiceModule } from '@refinery/runtime';
import { Alerter } from './alerts/alerter';
import { Thresholds } from './alerts/thresholds';
import { QUALITY_CONFIG, type QualityConfig } from './config';
import { entities, migrations, SCHEMA } from './data-source';
import { EnrichmentStateRepository } from './projection/enrichment-state.repository';
import { monitorDurable, projectionController } from './projection/projection.controller';
import { EnrichmentController } from './report/enrichment.controller';
import { EnrichmentReport } from './report/enrichment-report';
import { registerQualityMetrics } from './report/quality-metrics';
import { Reprocessor } from './reprocess/reprocessor';
import { RulesModule } from './rules/rules.module';

@Module({})
export class AppModule implements OnModuleInit {
  constructor(
    private readonly reports: EnrichmentReport,
    private readonly thresholds: Thresholds,
    private readonly alerter: Alerter,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(QUALITY_CONFIG) private readonly config: QualityConfig,
  ) {}

  static forRoot(config: QualityConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: 'quality-monitor',
          natsUrl: config.NATS_URL,
          auth: config,
          schema: SCHEMA,
          entities,
          migrations,
        }),
        RulesModule.forRoot(config),
      ],
      controllers: [projectionController(config.QUALITY_TENANT), EnrichmentController],
      providers: [
        { provide: QUALITY_CONFIG, useValue: config },
        EnrichmentStateRepository,
        EnrichmentReport,
        Thresholds,
        Alerter,
        Reprocessor,
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    registerQualityMetrics(this.reports, this.thresholds, this.alerter, this.nc);
    // Payload rules had a durable of their own on records.received; the projection's
    // consumer checks them now, and the old durable would hold its backlog forever.
    const retired = monitorDurable('rules', this.config.QUALITY_TENANT);
    const jsm = await jetstreamManager(this.nc);
    await jsm.consumers.delete(STREAMS.RECORDS.name, retired).catch(() => undefined);
  }
}
