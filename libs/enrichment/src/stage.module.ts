import {
  Controller,
  DynamicModule,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type Type,
} from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  createAiProvider,
  createLocalProvider,
  deserializeLocalModel,
  LocalProvider,
  type AiProvider,
} from '@refinery/ai';
import {
  enrichedRecordsConsumers,
  EnrichmentInputSchema,
  EVENTS,
  filterOf,
  recordEnvelope,
  STREAMS,
} from '@refinery/contracts';
import {
  consumeThrough,
  JetStreamConsumer,
  JetStreamPublisher,
  NATS_CONNECTION,
  type ConsumerOptions,
  type InboundMessage,
} from '@refinery/messaging';
import { retentionJob } from '@refinery/persistence';
import { ServiceModule, type ServiceModuleOptions } from '@refinery/runtime';
import { STAGE_RETENTION, type StageConfig } from './config';
import { CreateStageRecords1763900000000 } from './migrations/1763900000000-create-stage-records';
import { AddReprocessing1763900000001 } from './migrations/1763900000001-add-reprocessing';
import { PublishedBatches1763900000002 } from './migrations/1763900000002-published-batches';
import { StageRetentionIndexes1769100000000 } from './migrations/1769100000000-retention-indexes';
import { ModelFollower } from './model-follower';
import { ServedModels } from './served-models';
import type { StageDefinition } from './stage-definition';
import { StageProcessor } from './stage-processor';
import { StageRecordsRepository } from './stage-records.repository';

export const stageMigrations = [
  CreateStageRecords1763900000000,
  AddReprocessing1763900000001,
  PublishedBatches1763900000002,
  StageRetentionIndexes1769100000000,
];

/** `order-analysis` keeps its tables in schema `order_analysis`. */
export const schemaOfStage = (stage: StageDefinition) => stage.name.replace(/-/g, '_');

/** What every consumer of a stage shares: batches, retries and the ack wait. */
const handling = (config: StageConfig) => ({
  batchSize: config.ENRICHMENT_BATCH_SIZE,
  retry: config.ENRICHMENT_RETRY_SCHEDULE,
  retryJitter: config.ENRICHMENT_RETRY_JITTER,
  ackWaitMs: config.ENRICHMENT_ACK_WAIT,
});

/**
 * The durable consumers of the stage's source: per stage, or per stage and tenant for a
 * dedicated worker. The first stage reads `records.received` through one consumer per
 * enriched record type (`enrichedRecordsConsumers`), so it is never given a transcript; the
 * consumer that read every type keeps its name, and its position, for orders.
 */
export function consumersOf(stage: StageDefinition, config: StageConfig): ConsumerOptions[] {
  const tenant = config.ENRICHMENT_TENANT;
  const source = stage.source;
  const common = {
    stream: STREAMS[EVENTS[source.event].stream].name,
    schema: EVENTS[source.event].schema,
    ...handling(config),
  };
  if (source.event === 'records.received')
    return enrichedRecordsConsumers(stage.name, tenant).map(({ type: _type, ...consumer }) => ({
      ...common,
      // Records of the enriched types only: any other would be dead-lettered, never run.
      schema: recordEnvelope('records.received', EnrichmentInputSchema),
      ...consumer,
    }));
  return [
    {
      ...common,
      durable: tenant ? `${stage.name}_${tenant}` : stage.name,
      filterSubject: filterOf('enrichment.done', {
        stage: source.stage,
        ...(tenant ? { tenant } : {}),
      }),
    },
  ];
}

/** Where the quality monitor asks this stage to drive stalled and failed records again. */
export function reprocessConsumerOf(stage: StageDefinition, config: StageConfig): ConsumerOptions {
  const tenant = config.ENRICHMENT_TENANT;
  return {
    durable: tenant ? `${stage.name}-reprocess_${tenant}` : `${stage.name}-reprocess`,
    stream: STREAMS[EVENTS['enrichment.reprocess'].stream].name,
    filterSubject: filterOf('enrichment.reprocess', {
      stage: stage.name,
      ...(tenant ? { tenant } : {}),
    }),
    schema: EVENTS['enrichment.reprocess'].schema,
    ...handling(config),
  };
}

function stageController(stage: StageDefinition, config: StageConfig): Type {
  @Controller()
  class StageConsumer {
    constructor(@Inject(StageProcessor) private readonly processor: StageProcessor) {}

    /** Each consumer of the stage's source, through `consumeThrough` below. */
    handle(batch: InboundMessage<never>[]) {
      return this.processor.process(batch);
    }

    @JetStreamConsumer(reprocessConsumerOf(stage, config))
    reprocess(@Payload() batch: InboundMessage<never>[]) {
      return this.processor.process(batch, { reprocess: true });
    }
  }
  consumeThrough(StageConsumer, 'handle', consumersOf(stage, config));
  return StageConsumer;
}

/** Starts and stops the stage's reading of model announcements with the app. */
class ModelFollowing implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(readonly follower: ModelFollower | undefined) {}

  onApplicationBootstrap(): void {
    this.follower?.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.follower?.stop();
  }
}

/**
 * The providers a stage answers with: the configured one, and per tenant the registry model
 * announced for the stage. Registry models are local models, so only a local stage serves them.
 */
function servedModels(stage: StageDefinition, config: StageConfig, fallback: AiProvider) {
  const name = config.AI_PROVIDER === 'local' ? stage.model : undefined;
  return new ServedModels(fallback, name, (weights, version) =>
    createAiProvider(config, {
      local: () => LocalProvider.serving(deserializeLocalModel(weights), version),
      prompts: stage.prompts,
    }),
  );
}

export interface StageModuleOptions {
  /** Defaults to the provider the configuration names. */
  provider?: AiProvider;
  /** The service's migrations: the shared `stageMigrations` and any of its own. */
  migrations?: ServiceModuleOptions['migrations'];
}

/** A whole stage service: its schema, the bus, the AI provider and its consumer. */
@Module({})
export class StageModule {
  static forRoot(
    stage: StageDefinition,
    config: StageConfig,
    options: StageModuleOptions = {},
  ): DynamicModule {
    const provider =
      options.provider ??
      createAiProvider(config, { local: createLocalProvider, prompts: stage.prompts });
    const migrations = options.migrations ?? stageMigrations;
    const served = servedModels(stage, config, provider);
    return {
      module: StageModule,
      imports: [
        ServiceModule.forRoot({
          service: stage.name,
          natsUrl: config.NATS_URL,
          auth: config,
          schema: schemaOfStage(stage),
          entities: [],
          migrations,
        }),
      ],
      controllers: [stageController(stage, config)],
      providers: [
        StageRecordsRepository,
        retentionJob(STAGE_RETENTION, config),
        {
          provide: ModelFollowing,
          inject: [NATS_CONNECTION],
          useFactory: (nc: NatsConnection) =>
            new ModelFollowing(
              served.name
                ? new ModelFollower(nc, served, served.name, stage.name, config.ENRICHMENT_TENANT)
                : undefined,
            ),
        },
        {
          provide: StageProcessor,
          inject: [StageRecordsRepository, JetStreamPublisher, ModelFollowing],
          useFactory: (
            records: StageRecordsRepository,
            publisher: JetStreamPublisher,
            following: ModelFollowing,
          ) =>
            new StageProcessor(
              stage,
              served,
              config,
              records,
              publisher,
              following.follower?.ready,
            ),
        },
      ],
    };
  }
}
