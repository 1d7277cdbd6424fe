import { DynamicModule, Module, type OnModuleInit } from '@nestjs/common';
import { ServiceModule } from '@refinery/runtime';
import { LEARNING_CONFIG, type LearningConfig } from './config';
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
import { Schedules } from './schedules';
import { StoreTranscriptsUseCase } from './transcripts/store-transcripts.use-case';
import { transcriptsController } from './transcripts/transcripts.controller';
import { TranscriptsRepository } from './transcripts/transcripts.repository';
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
