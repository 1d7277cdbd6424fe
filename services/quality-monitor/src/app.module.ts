import { DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '@refinery/contracts';
import { NATS_CONNECTION } from '@refinery/messaging';
import { ServiceModule } from '@refinery/runtime';
import { AlertStatesRepository } from './alerts/alert-states.repository';
import { AlertsController } from './alerts/alerts.controller';
import { CheckHealthUseCase } from './alerts/check-health.use-case';
import { EvaluateAlertsUseCase } from './alerts/evaluate-alerts.use-case';
import { GetThresholdsUseCase } from './alerts/get-thresholds.use-case';
import { ThresholdsRepository } from './alerts/thresholds.repository';
import { UpdateThresholdsUseCase } from './alerts/update-thresholds.use-case';
import { QUALITY_CONFIG, type QualityConfig } from './config';
import { entities, migrations, SCHEMA } from './data-source';
import { registerQualityMetrics } from './metrics/quality-metrics';
import { EnrichmentStateRepository } from './projection/enrichment-state.repository';
import { monitorDurable, projectionController } from './projection/projection.controller';
import { GetBacklogUseCase } from './report/get-backlog.use-case';
import { GetReportUseCase } from './report/get-report.use-case';
import { ListTenantsUseCase } from './report/list-tenants.use-case';
import { ReportController } from './report/report.controller';
import { ReportRepository } from './report/report.repository';
import { ReprocessController } from './reprocess/reprocess.controller';
import { ReprocessRepository } from './reprocess/reprocess.repository';
import { SweepUseCase } from './reprocess/sweep.use-case';
import { RulesModule } from './rules.module';
import { Schedules } from './schedules';

@Module({})
export class AppModule implements OnModuleInit {
  constructor(
    private readonly tenants: ListTenantsUseCase,
    private readonly reports: GetReportUseCase,
    private readonly thresholds: GetThresholdsUseCase,
    private readonly alerts: AlertStatesRepository,
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
      controllers: [
        projectionController(config.QUALITY_TENANT),
        AlertsController,
        ReportController,
        ReprocessController,
      ],
      providers: [
        { provide: QUALITY_CONFIG, useValue: config },
        EnrichmentStateRepository,
        ReportRepository,
        ListTenantsUseCase,
        GetReportUseCase,
        GetBacklogUseCase,
        ThresholdsRepository,
        GetThresholdsUseCase,
        UpdateThresholdsUseCase,
        CheckHealthUseCase,
        AlertStatesRepository,
        EvaluateAlertsUseCase,
        ReprocessRepository,
        SweepUseCase,
        Schedules,
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    registerQualityMetrics(
      {
        tenants: () => this.tenants.execute(),
        report: (tenant) => this.reports.execute(tenant),
        thresholds: (tenant) => this.thresholds.execute(tenant),
        alerts: (tenant) => this.alerts.list(tenant),
      },
      this.nc,
    );
    // Payload rules had a durable of their own on records.received; the projection's
    // consumer checks them now, and the old durable would hold its backlog forever.
    const retired = monitorDurable('rules', this.config.QUALITY_TENANT);
    const jsm = await jetstreamManager(this.nc);
    await jsm.consumers.delete(STREAMS.RECORDS.name, retired).catch(() => undefined);
  }
}
