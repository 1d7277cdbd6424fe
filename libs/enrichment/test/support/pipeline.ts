import type { INestApplication } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { generateSeedSet, type AiProvider, type SeedExample } from '@refinery/ai';
import { eventOf, subjectOf, type EventPayload, type StageReports } from '@refinery/contracts';
import { natsAuthOptions } from '@refinery/messaging';
import {
  createServiceApp,
  loadConfig,
  natsCredentialsOf,
  startServiceApp,
} from '@refinery/runtime';
import { eventually, storedMessages, uniqueName, type StoredMessage } from '@refinery/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  classification,
  consumerOf,
  orderAnalysis,
  reprocessConsumerOf,
  resolution,
  stageConfigSchema,
  StageModule,
  type StageDefinition,
} from '../../src';
import { publishedSql } from '../../src/stage-records.repository';

export const STAGE_DEFINITIONS: StageDefinition[] = [orderAnalysis, classification, resolution];

export type Completed = EventPayload<'enrichment.completed'>;
export type Received = EventPayload<'records.received'>;

export interface PipelineOptions {
  env?: Record<string, string>;
  /** Defaults to the provider the configuration names (the local model). */
  provider?: AiProvider;
  /** Which stages run in this process; all three by default. */
  stages?: StageDefinition[];
}

/**
 * The stage services in this process, each on a free port, consuming one fresh tenant only,
 * so tests can share NATS and the database and still see just their own records.
 */
export async function startPipeline(options: PipelineOptions = {}) {
  const tenant = uniqueName('enr').replace('_', '-');
  const env = {
    DATABASE_NAME: 'refinery_test',
    ...process.env,
    LOG_LEVEL: 'error',
    ENRICHMENT_TENANT: tenant,
    ENRICHMENT_RETRY_SCHEDULE: '300ms,300ms',
    ENRICHMENT_RETRY_JITTER: '0',
    ...options.env,
  };
  process.env.DATABASE_NAME ??= 'refinery_test';
  const config = loadConfig(stageConfigSchema(0), env);
  const stages = options.stages ?? STAGE_DEFINITIONS;
  const apps: INestApplication[] = [];
  for (const stage of stages) {
    const app = await createServiceApp({
      name: stage.name,
      module: StageModule.forRoot(stage, config, { provider: options.provider }),
      description: 'test',
      logLevel: 'error',
    });
    await startServiceApp(app, 0);
    apps.push(app);
  }
  const nc = await connect({
    servers: config.NATS_URL,
    ...natsAuthOptions(natsCredentialsOf(config)),
  });
  const js = jetstream(nc);

  const pipeline = {
    tenant,
    nc,
    config,
    apps,
    /** Publishes records.received for each record, as ingestion does; returns the envelopes. */
    async receive(records: SeedExample['record'][]): Promise<Received[]> {
      const events = records.map((record) => receivedEvent(tenant, record));
      await Promise.all(events.map((event) => publishReceived(js, event)));
      return events;
    },
    /** Asks `stage` to run a record again, as the quality monitor does. */
    async reprocess(stage: StageDefinition, event: Received, stages: StageReports = {}) {
      const { subject, msgId, payload } = eventOf(
        'enrichment.reprocess',
        {
          id: randomUUID(),
          tenant,
          occurred_at: new Date().toISOString(),
          record_id: event.record_id,
          data: { stage: stage.name, input: event.data, stages, reason: 'test' },
        },
        { stage: stage.name },
      );
      await js.publish(subject, JSON.stringify(payload), { msgID: msgId });
    },
    completed: () =>
      storedMessages<Completed>(nc, 'ENRICHMENT', subjectOf('enrichment.completed', { tenant })),
    /** Waits until at least `count` completed events are stored, then returns them all. */
    async waitForCompleted(count: number, timeoutMs = 20_000) {
      let stored: StoredMessage<Completed>[] = [];
      await eventually(async () => {
        stored = await pipeline.completed();
        return stored.length >= count;
      }, timeoutMs);
      return stored;
    },
    stored: <T>(stream: string, filter: string): Promise<StoredMessage<T>[]> =>
      storedMessages<T>(nc, stream, filter),
    /** The stored state of one record in one stage. */
    async stageRow(stage: StageDefinition, recordId: string) {
      // Each stage's role sees its own schema only.
      const [row] = await apps[stages.indexOf(stage)]
        .get(DataSource)
        .query(
          `SELECT s.*, ${publishedSql('s')} AS published FROM stage_records s WHERE record_id = $1`,
          [recordId],
        );
      return row as StageRow | undefined;
    },
    async close() {
      await Promise.all(apps.map((app) => app.close()));
      const jsm = await jetstreamManager(nc);
      for (const stage of STAGE_DEFINITIONS) {
        for (const { durable, stream } of [
          consumerOf(stage, config),
          reprocessConsumerOf(stage, config),
        ])
          await jsm.consumers.delete(stream, durable).catch(() => undefined);
      }
      await nc.close();
    },
  };
  return pipeline;
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

export interface StageRow {
  record_id: string;
  status: string;
  retry_count: number;
  errors: string[];
  output: unknown;
  skip_reason: string | null;
  published: boolean;
  last_attempt_at: Date | null;
}

export function receivedEvent(tenant: string, record: SeedExample['record']): Received {
  const id = randomUUID();
  const data = {
    record_type: record.recordType,
    source: 'test',
    external_id: id,
    received_at: new Date().toISOString(),
    payload: record.payload as Record<string, unknown>,
  } as Received['data'];
  const fields = { id: `${id}:received`, tenant, occurred_at: data.received_at, record_id: id };
  return eventOf('records.received', { ...fields, data }, { type: record.recordType }).payload;
}

export function publishReceived(js: ReturnType<typeof jetstream>, event: Received) {
  const subject = subjectOf('records.received', {
    tenant: event.tenant,
    type: event.data.record_type,
  });
  return js.publish(subject, JSON.stringify(event), { msgID: event.id });
}

/** Labelled records from the seed set: `size` of them, orders and exceptions mixed. */
export const seedRecords = (size: number, seed = 7) =>
  generateSeedSet({ seed, size }).map((example) => example.record);

/** An exception whose order number the fake AI server keys its behaviour on. */
export const exception = (orderNumber: string, description = 'The parcel never arrived.') => ({
  recordId: orderNumber,
  tenant: 'unused',
  recordType: 'exception' as const,
  payload: { order_number: orderNumber, description, carrier: 'DHL', reported_by: 'customer' },
});

export const stagesOf = (event: { data: { stages: StageReports } }) => event.data.stages;
