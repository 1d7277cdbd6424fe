import type { INestApplication } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { generateSeedSet, type AiProvider, type SeedExample } from '@refinery/ai';
import {
  eventOf,
  STAGES,
  subjectOf,
  type EventPayload,
  type StageReports,
} from '@refinery/contracts';
import { natsAuthOptions } from '@refinery/messaging';
import {
  createServiceApp,
  loadConfig,
  natsCredentialsOf,
  startServiceApp,
} from '@refinery/runtime';
import {
  eventually,
  storedMessages,
  uniqueName,
  waitFor,
  type StoredMessage,
} from '@refinery/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  consumerOf,
  reprocessConsumerOf,
  stageConfigSchema,
  StageModule,
  type StageDefinition,
} from '../../src';
import { publishedSql } from '../../src/stage-records.repository';
import { TEST_STAGES } from './test-stages';

export type Completed = EventPayload<'enrichment.completed'>;
export type Received = EventPayload<'records.received'>;

export interface PipelineOptions {
  env?: Record<string, string>;
  /** Defaults to the provider the configuration names (the local model). */
  provider?: AiProvider;
  /** An LLM server to ask through the openai provider instead, e.g. a FakeOpenAiServer. */
  llm?: { baseUrl: string };
  /** Which stages run in this process: the runtime's test stages by default; tests of the real stages pass theirs. */
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
    ...(options.llm && {
      AI_PROVIDER: 'openai',
      OPENAI_BASE_URL: options.llm.baseUrl,
      OPENAI_MODEL: 'fake-model',
      AI_TIMEOUT_MS: '2000',
    }),
    ...options.env,
  };
  process.env.DATABASE_NAME ??= 'refinery_test';
  const config = loadConfig(stageConfigSchema(0), env);
  const stages = options.stages ?? TEST_STAGES;
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
    /** The completed events of one record stored so far: one, or none yet. */
    completedOf: async (recordId: string | null) =>
      (await pipeline.completed()).filter((m) => m.data.record_id === recordId),
    /** Waits for the completed event of one record. */
    waitForCompletedOf: (recordId: string | null) =>
      waitFor(async () => (await pipeline.completedOf(recordId))[0]),
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
      for (const stage of stages) {
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

/**
 * Sends 60 seed records through the pipeline and checks that each completes exactly once with
 * all three stages, resolution run exactly when classification was confident enough.
 */
export async function enrichesSeedRecords(pipeline: Pipeline): Promise<Received[]> {
  const events = await pipeline.receive(seedRecords(60));
  const completed = await pipeline.waitForCompleted(events.length);

  expect(completed.map((m) => m.data.record_id).sort()).toEqual(
    events.map((e) => e.record_id).sort(),
  );
  for (const { data } of completed) {
    const stages = stagesOf(data);
    expect(Object.keys(stages).sort()).toEqual([...STAGES].sort());
    expect(stages['order-analysis']?.status).toBe('COMPLETED');
    const label = stages.classification;
    expect(['COMPLETED', 'SKIPPED']).toContain(label?.status);
    const confident = (label?.output?.ai_confidence ?? 0) >= 0.7;
    expect(stages.resolution?.status).toBe(confident ? 'COMPLETED' : 'SKIPPED');
    if (confident) expect(stages.resolution?.output?.action).toEqual(expect.any(String));
    else expect(stages.resolution?.output).toBeNull();
    expect(data.data.input.external_id).toBe(data.record_id);
  }
  // The mix exercises both paths, so the assertions above are not vacuous.
  const statuses = completed.map((m) => stagesOf(m.data).resolution?.status);
  expect(statuses).toContain('COMPLETED');
  expect(statuses).toContain('SKIPPED');
  return events;
}
