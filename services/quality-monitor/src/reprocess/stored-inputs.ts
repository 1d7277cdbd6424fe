import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  EVENTS,
  STAGES,
  STREAMS,
  type EnrichmentInput,
  type StageName,
  type StageReports,
} from '@refinery/contracts';
import { NATS_CONNECTION } from '@refinery/messaging';
import { mapLimit } from '@refinery/runtime';
import type { StageInput } from './reprocess-decision';
import type { Candidate } from './reprocess.repository';

/** Messages read at once while a sweep gathers its inputs. */
const CONCURRENCY = 16;

/**
 * Reads what a stage is driven again with from the streams, by the sequences the batch
 * reports gave: the record's records.received for the first stage, the previous stage's done
 * event for the others (or the stage's own last input). Rows kept before the reports carry
 * their copy instead. A message gone from its stream (past its retention) cannot be sent
 * again: the record is left to its escalation, and the log says which.
 */
@Injectable()
export class StoredInputs {
  private readonly log = new Logger('Reprocessor');
  private jsm?: Promise<JetStreamManager>;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  /** The input for each candidate's stage, where one can still be read; in the same order. */
  async resolve(
    tenant: string,
    picked: readonly { candidate: Candidate; stage: StageName }[],
  ): Promise<(StageInput | undefined)[]> {
    return mapLimit(picked, CONCURRENCY, ({ candidate, stage }) =>
      this.inputOf(tenant, candidate, stage),
    );
  }

  private async inputOf(
    tenant: string,
    c: Candidate,
    stage: StageName,
  ): Promise<StageInput | undefined> {
    const index = STAGES.indexOf(stage);
    const previous = index > 0 ? c.stages[STAGES[index - 1]] : undefined;
    const own = c.stages[stage];
    if (index === 0 && c.input_seq !== null) {
      const event = await this.read(tenant, STREAMS.RECORDS.name, c.input_seq, 'records.received');
      if (event) return { input: event.data as EnrichmentInput, stages: {} };
    }
    for (const seq of [previous?.output_seq, own?.input_seq]) {
      if (seq === null || seq === undefined) continue;
      const event = await this.read(tenant, STREAMS.ENRICHMENT.name, seq, 'stage input');
      if (event) {
        const data = event.data as { input: EnrichmentInput; stages: StageReports };
        return { input: data.input, stages: data.stages };
      }
    }
    if (c.input) {
      const earlier = STAGES.slice(0, index).filter((s) => c.stages[s]?.report);
      const stages = Object.fromEntries(earlier.map((s) => [s, c.stages[s].report]));
      return { input: c.input, stages: stages as StageReports };
    }
    this.log.warn(
      `record ${c.record_id}: the input of ${stage} is no longer in its stream; it cannot be driven again`,
    );
    return undefined;
  }

  /** The event at `seq` in `stream`, if it is still there and is this tenant's. */
  private async read(
    tenant: string,
    stream: string,
    seq: number,
    what: string,
  ): Promise<{ type: string; data: unknown } | undefined> {
    this.jsm ??= jetstreamManager(this.nc, { checkAPI: false });
    try {
      const stored = await (await this.jsm).streams.getMessage(stream, { seq });
      if (!stored) return undefined;
      const event = stored.json<{ type: string; tenant: string; data: unknown }>();
      const known = EVENTS[event.type as keyof typeof EVENTS];
      if (event.tenant !== tenant || !known || !known.schema.safeParse(event).success) {
        this.log.warn(`${stream}#${seq} is not a ${what} of ${tenant}; it is not sent again`);
        return undefined;
      }
      return event;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound)
        return undefined;
      throw error;
    }
  }
}
