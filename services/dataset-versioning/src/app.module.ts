import { DynamicModule, Module } from '@nestjs/common';
import { retentionJob } from '@refinery/persistence';
import { ServiceModule } from '@refinery/runtime';
import { candidatesController } from './candidates/candidates.controller';
import { DecisionsRepository } from './candidates/decisions.repository';
import { PromoteCandidatesUseCase } from './candidates/promote-candidates.use-case';
import { DATASETS_CONFIG, DATASETS_RETENTION, type DatasetsConfig } from './config';
import { entities, migrations, SCHEMA } from './data-source';
import { CurateUseCase } from './datasets/curate.use-case';
import { DatasetMetricsUseCase } from './datasets/dataset-metrics.use-case';
import { DatasetsController } from './datasets/datasets.controller';
import { DatasetsRepository } from './datasets/datasets.repository';
import { ListExamplesUseCase } from './datasets/list-examples.use-case';
import { ScoreExamples } from './datasets/score-examples';
import { ExportController } from './export/export.controller';
import { ExportExamplesUseCase } from './export/export-examples.use-case';
import { LabelingController } from './labeling/labeling.controller';
import { LabelingRepository } from './labeling/labeling.repository';
import { LabelingUseCase } from './labeling/labeling.use-case';
import { ModelUncertainty } from './labeling/model-uncertainty';
import { HistoryRepository } from './versioning/history.repository';
import { HistoryUseCase } from './versioning/history.use-case';

@Module({})
export class AppModule {
  static forRoot(config: DatasetsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: 'dataset-versioning',
          natsUrl: config.NATS_URL,
          auth: config,
          schema: SCHEMA,
          entities,
          migrations,
        }),
      ],
      controllers: [
        DatasetsController,
        ExportController,
        LabelingController,
        candidatesController(config.DATASETS_TENANT),
      ],
      providers: [
        { provide: DATASETS_CONFIG, useValue: config },
        DatasetsRepository,
        HistoryRepository,
        ScoreExamples,
        CurateUseCase,
        HistoryUseCase,
        ListExamplesUseCase,
        DatasetMetricsUseCase,
        LabelingRepository,
        LabelingUseCase,
        ModelUncertainty,
        ExportExamplesUseCase,
        DecisionsRepository,
        PromoteCandidatesUseCase,
        retentionJob(DATASETS_RETENTION, config),
      ],
    };
  }
}
