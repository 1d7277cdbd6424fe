import { Controller, Inject, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { filterOf, readerOf, STREAMS, type EventPayload } from '@refinery/contracts';
import { JetStreamConsumer, type InboundMessage } from '@refinery/messaging';
import { DATASETS_CONFIG, type DatasetsConfig } from '../config';
import { confidentDecisions, correctedExamples } from './candidate-examples';
import { DecisionsRepository } from './decisions.repository';
import { PromoteCandidatesUseCase } from './promote-candidates.use-case';

/** `datasets-<name>`, or `datasets-<name>_<tenant>` for a service of one tenant. */
const durable = (name: string, tenant?: string) => `datasets-${name}${tenant ? `_${tenant}` : ''}`;

const isPositive = (data: EventPayload<'feedback.recorded'>['data']) =>
  data.feedback_type === 'thumbs_up' || (data.rating !== null && data.rating >= 4);

/** Production into candidates: confident results confirmed by people, and applied corrections. */
export function candidatesController(tenant?: string): Type {
  @Controller()
  class CandidatesController {
    constructor(
      @Inject(DATASETS_CONFIG) private readonly config: DatasetsConfig,
      private readonly decisions: DecisionsRepository,
      private readonly promote: PromoteCandidatesUseCase,
    ) {}

    @JetStreamConsumer({
      durable: durable('completed', tenant),
      stream: STREAMS.ENRICHMENT.name,
      filterSubject: filterOf('enrichment.completed', { tenant }),
      schema: readerOf('enrichment.completed', { input: true, stages: true, completed_at: true }),
      batchSize: 200,
    })
    async completed(@Payload() batch: InboundMessage<EventPayload<'enrichment.completed'>>[]) {
      const rows = batch.flatMap(({ data: event }) => {
        const outputs = confidentDecisions(event, this.config.DATASETS_MIN_CONFIDENCE);
        if (outputs.length === 0) return [];
        return [
          {
            tenant: event.tenant,
            record_id: event.record_id,
            record_type: event.data.input.record_type,
            input: event.data.input.payload,
            outputs,
            completed_at: event.data.completed_at,
          },
        ];
      });
      await this.decisions.saveOutputs(rows);
      if (rows.length > 0) await this.promote.promoteConfirmed();
    }

    @JetStreamConsumer({
      durable: durable('feedback', tenant),
      stream: STREAMS.LEARNING.name,
      filterSubject: filterOf('feedback.recorded', { tenant }),
      schema: readerOf('feedback.recorded', true),
      batchSize: 200,
    })
    async feedback(@Payload() batch: InboundMessage<EventPayload<'feedback.recorded'>>[]) {
      const positive = batch
        .filter((m) => isPositive(m.data.data))
        .map((m) => ({ tenant: m.data.tenant, record_id: m.data.record_id }));
      await this.decisions.markPositive(positive);
      if (positive.length > 0) await this.promote.promoteConfirmed();
    }

    @JetStreamConsumer({
      durable: durable('applied', tenant),
      stream: STREAMS.LEARNING.name,
      filterSubject: filterOf('learning.applied', { tenant }),
      schema: readerOf('learning.applied', true),
      batchSize: 100,
    })
    async applied(@Payload() batch: InboundMessage<EventPayload<'learning.applied'>>[]) {
      const byTenant = new Map<string, ReturnType<typeof correctedExamples>>();
      for (const { data: event } of batch) {
        const list = byTenant.get(event.tenant) ?? [];
        // A later correction of the same example in one batch wins.
        for (const example of correctedExamples(event)) {
          const at = list.findIndex((e) => e.id === example.id);
          if (at >= 0) list.splice(at, 1);
          list.push(example);
        }
        byTenant.set(event.tenant, list);
      }
      for (const [slug, examples] of byTenant) await this.promote.stage(slug, examples);
    }
  }
  return CandidatesController;
}
