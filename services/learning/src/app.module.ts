import { DynamicModule, Module, type OnModuleInit } from '@nestjs/common';
import { retentionJob } from '@refinery/persistence';
import { ServiceModule } from '@refinery/runtime';
import { LEARNING_CONFIG, LEARNING_RETENTION, type LearningConfig } from './config';
import { entities, migrations, SCHEMA } from './data-source';
import { FeedbackController } from './feedback/feedback.controller';
import { FeedbackRepository } from './feedback/feedback.repository';
import { RecordCorrectionUseCase } from './feedback/record-correction.use-case';
import { RecordRatingUseCase } from './feedback/record-rating.use-case';
import { AwaitInteraction } from './interactions/await-interaction';
import { interactionsController } from './interactions/interactions.controller';
import { InteractionsRepository } from './interactions/interactions.repository';
import { GetLearningMetricsUseCase } from './metrics/get-learning-metrics.use-case';
import { appliedCounter, feedbackCounter, registerQueueDepth } from './metrics/learning-metrics';
import { LearningMetricsRepository } from './metrics/learning-metrics.repository';
import { ApplyLearningsUseCase } from './queue/apply-learnings.use-case';
import { DecideItemUseCase } from './queue/decide-item.use-case';
import { Deduplicate } from './queue/deduplicate';
import { FindSimilarUseCase } from './queue/find-similar.use-case';
import { ListQueueUseCase } from './queue/list-queue.use-case';
import { QueueController } from './queue/queue.controller';
import { QueueRepository } from './queue/queue.repository';
import { ModelRegistryUseCase } from './registry/model-registry.use-case';
import { PublishModelsUseCase } from './registry/publish-models.use-case';
import { RegistryController } from './registry/registry.controller';
import { RegistryRepository } from './registry/registry.repository';
import { retrainingController } from './registry/retraining.controller';
import { StageModelUseCase } from './registry/stage-model.use-case';
import { TrainModelsUseCase } from './registry/train-models.use-case';
import { ConsoleController } from './review/console.controller';
import { GetLabelingUseCase } from './review/get-labeling.use-case';
import { ListReviewQueueUseCase } from './review/list-review-queue.use-case';
import { ReviewController } from './review/review.controller';
import { ReviewRepository } from './review/review.repository';
import { Schedules } from './schedules';
import { StoreTranscriptsUseCase } from './transcripts/store-transcripts.use-case';
import { transcriptsController } from './transcripts/transcripts.controller';
import { TranscriptsRepository } from './transcripts/transcripts.repository';
import { DatasetClient } from './shared/dataset-client';
import { embedderProvider } from './shared/embedder.provider';

@Module({})
export class AppModule implements OnModuleInit {
  constructor(private readonly metrics: LearningMetricsRepository) {}

  static forRoot(config: LearningConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: 'learning',
          natsUrl: config.NATS_URL,
          auth: config,
          schema: SCHEMA,
          entities,
          migrations,
        }),
      ],
      controllers: [
        interactionsController(config.LEARNING_TENANT),
        transcriptsController(config.LEARNING_TENANT),
        FeedbackController,
        QueueController,
        ReviewController,
        ConsoleController,
        RegistryController,
        retrainingController(config.LEARNING_TENANT),
      ],
      providers: [
        { provide: LEARNING_CONFIG, useValue: config },
        embedderProvider(config),
        InteractionsRepository,
        AwaitInteraction,
        FeedbackRepository,
        RecordRatingUseCase,
        RecordCorrectionUseCase,
        QueueRepository,
        Deduplicate,
        ListQueueUseCase,
        DecideItemUseCase,
        ApplyLearningsUseCase,
        FindSimilarUseCase,
        LearningMetricsRepository,
        GetLearningMetricsUseCase,
        TranscriptsRepository,
        StoreTranscriptsUseCase,
        Schedules,
        retentionJob(LEARNING_RETENTION, config),
        ReviewRepository,
        ListReviewQueueUseCase,
        GetLabelingUseCase,
        DatasetClient,
        RegistryRepository,
        PublishModelsUseCase,
        TrainModelsUseCase,
        StageModelUseCase,
        ModelRegistryUseCase,
      ],
    };
  }

  onModuleInit(): void {
    // Registered at start, so /metrics lists them before the first feedback or apply.
    feedbackCounter();
    appliedCounter();
    registerQueueDepth(this.metrics);
  }
}
