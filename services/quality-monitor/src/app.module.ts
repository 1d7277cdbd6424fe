import { DynamicModule, Module, type OnModuleInit } from '@nestjs/common';
import { ServiceModule } from '@refinery/runtime';
import { QUALITY_CONFIG, type QualityConfig } from './config';
import { entities, migrations, SCHEMA } from './data-source';
import { EnrichmentStateRepository } from './projection/enrichment-state.repository';
import { projectionController } from './projection/projection.controller';
import { EnrichmentController } from './report/enrichment.controller';
import { EnrichmentReport } from './report/enrichment-report';
import { registerQualityMetrics } from './report/quality-metrics';

@Module({})
export class AppModule implements OnModuleInit {
  constructor(private readonly reports: EnrichmentReport) {}

  static forRoot(config: QualityConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: 'quality-monitor',
          natsUrl: config.NATS_URL,
          schema: SCHEMA,
          entities,
          migrations,
        }),
      ],
      controllers: [projectionController(config.QUALITY_TENANT), EnrichmentController],
      providers: [
        { provide: QUALITY_CONFIG, useValue: config },
        EnrichmentStateRepository,
        EnrichmentReport,
      ],
    };
  }

  onModuleInit(): void {
    registerQualityMetrics(this.reports);
  }
}
