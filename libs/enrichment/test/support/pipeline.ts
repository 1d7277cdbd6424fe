import type { INestApplication } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { AiProvider } from '@refinery/ai';
import { eventOf, type EnrichmentInput, type StageReports } from '@refinery/contracts';
import { natsAuthOptions } from '@refinery/messaging';
import {
  createServiceApp,
  loadConfig,
  natsCredentialsOf,
  startServiceApp,
} from '@refinery/runtime';
import { uniqueName } from '@refinery/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  consumersOf,
  reprocessConsumerOf,
  stageConfigSchema,
  StageModule,
  type StageDefinition,
} from '../../src';
import { publishedSql } from '../../src/stage-records.repository';
import { pipelineClient, type Received } from './pipeline-client';
import { TEST_STAGES } from './test-stages';

export * from './pipeline-client';

export interface PipelineOptions {
  env?: Record<string, string>;
  /** Defaults to the provider the configuration names (the local model). */
  provider?: AiProvider;
  /** An LLM server to ask through the openai provider instead, e.g. a FakeOpenAiServer. */
  llm?: { baseUrl: string };
  /** Which stages run in this process: the runtime's test stages by default. */
  stages?: StageDefinition[];
}

/**
 * What the stages of a test run with, in its process or their own: one fresh tenant only, short
 * retries, and the fake LLM when there is one.
 */
export function pipelineEnv(tenant: string, options: Pick<PipelineOptions, 'env' | 'llm'>) {
  return {
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
    ...pipelineEnv(tenant, options),
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
    ...pipelineClient(nc, tenant),
    config,
    apps,
    /** Asks `stage` to run a record again, as the quality monitor does. */
    async reprocess(stage: StageDefinition, event: Received, stages: StageReports = {}) {
      const { subject, msgId, payload } = eventOf(
        'enrichment.reprocess',
        {
          id: randomUUID(),
          tenant,
          occurred_at: new Date().toISOString(),
          record_id: event.record_id,
          // Only orders and exceptions are driven through the stages.
          data: { stage: stage.name, input: event.data as EnrichmentInput, stages, reason: 'test' },
        },
        { stage: stage.name },
      );
      await js.publish(subject, JSON.stringify(payload), { msgID: msgId });
    },
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
          ...consumersOf(stage, config),
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
