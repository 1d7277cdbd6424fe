import { DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '@refinery/contracts';
import { NATS_CONNECTION } from '@refinery/messaging';
import { retentionJob } from '@refinery/persistence';
import { ServiceModule } from '@refinery/runtime';
import { AlertStatesRepository } from './alerts/alert-states.repository';
import { AlertsController } from './alerts/alerts.controller';
import { CheckHealthUseCase } from './alerts/check-health.use-case';
import { EvaluateAlertsUseCase } from './alerts/evaluate-alerts.use-case';
import { GetThresholdsUseCase } from './alerts/get-thresholds.use-case';
import { ThresholdsRepository } from './alerts/thresholds.repository';
import { UpdateThresholdsUseCase } from './alerts/update-thresholds.use-case';
import { QUALITY_CONFIG, QUALITY_RETENTION, type QualityConfig } from './config';
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
import { StoredInputs } from './reprocess/stored-inputs';
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
        StoredInputs,
        SweepUseCase,
        Schedules,
        retentionJob(QUALITY_RETENTION, config),
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
    // Durables the monitor no longer reads would hold their backlog forever: payload rules
    // had one on records.received (the projection's consumer checks them now), and completed
    // events had one before the stages' batch reports carried completions.
    const tenant = this.config.QUALITY_TENANT;
    const jsm = await jetstreamManager(this.nc);
    for (const [stream, retired] of [
      [STREAMS.RECORDS.name, monitorDurable('rules', tenant)],
      [STREAMS.ENRICHMENT.name, monitorDurable('completed', tenant)],
    ])
      await jsm.consumers.delete(stream, retired).catch(() => undefined);
  }
}
