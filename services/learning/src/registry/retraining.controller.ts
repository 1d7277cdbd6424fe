import { Controller, Inject, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { filterOf, readerOf, STREAMS, type EventPayload } from '@refinery/contracts';
import { JetStreamConsumer, NonRetryableError, type InboundMessage } from '@refinery/messaging';
import { LEARNING_CONFIG, type LearningConfig } from '../config';
import { learningDurable } from '../interactions/interactions.controller';
import { DatasetUnavailableError } from '../shared/dataset-client';
import { TrainModelsUseCase } from './train-models.use-case';

type Committed = EventPayload<'datasets.committed'>;

/** Retrains on a dataset commit that brings enough corrections to the retraining branch. */
export function retrainingController(tenant?: string): Type {
  @Controller()
  class RetrainingController {
    constructor(
      @Inject(LEARNING_CONFIG) private readonly config: LearningConfig,
      private readonly training: TrainModelsUseCase,
    ) {}

    /** One commit at a time: training takes a second or two and each one reads the registry. */
    @JetStreamConsumer({
      durable: learningDurable('committed', tenant),
      stream: STREAMS.DATASETS.name,
      filterSubject: filterOf('datasets.committed', { tenant }),
      schema: readerOf('datasets.committed', true),
      batchSize: 1,
      ackWaitMs: 120_000,
    })
    async committed(@Payload() batch: InboundMessage<Committed>[]): Promise<void> {
      for (const { data: event } of batch) {
        const { dataset, branch, commit, corrected } = event.data;
        const min = this.config.LEARNING_RETRAIN_MIN_CORRECTED;
        if (min === 0 || branch !== this.config.LEARNING_RETRAIN_BRANCH || corrected < min)
          continue;
        try {
          await this.training.execute({
            tenant: event.tenant,
            dataset,
            ref: commit,
            actor: 'retraining',
            trigger: `${dataset}@${commit.slice(0, 12)} on ${branch} brought ${corrected} corrected examples`,
          });
        } catch (error) {
          // A commit that cannot be read will not become readable: say so and go on.
          if (error instanceof DatasetUnavailableError && error.permanent)
            throw new NonRetryableError(error.message);
          throw error;
        }
      }
    }
  }
  return RetrainingController;
}
