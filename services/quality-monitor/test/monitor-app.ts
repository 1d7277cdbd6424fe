import type { NestExpressApplication } from '@nestjs/platform-express';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  eventOf,
  type EnvelopedEvent,
  type EnvelopeFields,
  type EventParamsArg,
  type EventPayload,
  type StageName,
} from '@refinery/contracts';
import { createServiceApp, loadConfig, startServiceApp } from '@refinery/runtime';
import { TestTenants, uniqueName } from '@refinery/testing';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../src/app.module';
import { monitorDurable, recordsConsumers } from '../src/projection/projection.controller';
import { QualityConfigSchema } from '../src/config';

/** The operator key every monitor a test starts accepts. */
export const OPERATOR_KEY = TestTenants.operatorKey();

/** The monitor in this process, following one fresh tenant, with no grace period. */
export async function startMonitor(env: Record<string, string> = {}) {
  const tenant = env.QUALITY_TENANT ?? uniqueName('qm').replace('_', '-');
  const tenants = await TestTenants.open();
  const { apiKey } = await tenants.create({ slug: tenant }).finally(() => tenants.close());
  const config = loadConfig(QualityConfigSchema, {
    DATABASE_NAME: 'refinery_test',
    ...process.env,
    LOG_LEVEL: 'warn',
    REFINERY_ADMIN_API_KEY: OPERATOR_KEY,
    QUALITY_TENANT: tenant,
    QUALITY_GRACE_SECONDS: '0',
    QUALITY_SWEEP_INTERVAL: '0',
    QUALITY_ALERT_INTERVAL: '0',
    QUALITY_RULES_INTERVAL: '0',
    ...env,
  });
  process.env.DATABASE_NAME ??= 'refinery_test';
  const app: NestExpressApplication = await createServiceApp({
    name: 'quality-monitor',
    module: AppModule.forRoot(config),
    description: 'test',
    logLevel: 'warn',
  });
  const port = await startServiceApp(app, 0);
  const nc = await connect({ servers: config.NATS_URL });
  const js = jetstream(nc);
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    nc,
    tenant,
    /** The tenant's key, with every tenant scope. */
    apiKey,
    url,
    get: async <T>(path: string) => {
      const res = await fetch(`${url}${path}`, { headers: { 'x-api-key': apiKey } });
      return { status: res.status, body: (await res.json()) as T };
    },
    send: async <T>(method: 'POST' | 'PUT', path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    /** Publishes an event about a record as its producer would; each one anew, as a redelivery is. */
    publish: <E extends EnvelopedEvent>(
      name: E,
      recordId: string,
      data: unknown,
      at: string,
      ...params: EventParamsArg<E>
    ) => {
      const id = `${recordId}:${name}:${randomUUID()}`;
      const fields = { id, tenant, occurred_at: at, record_id: recordId, data };
      const event = eventOf(name, fields as EnvelopeFields<E>, ...params);
      return js.publish(event.subject, JSON.stringify(event.payload));
    },
    /** A stage's report on a batch of this tenant's records, as the stage publishes it. */
    report: (stage: StageName, records: BatchLine[], at: string) => {
      const batchId = randomUUID();
      const event = eventOf(
        'enrichment.batch',
        {
          id: `${batchId}:${tenant}:0`,
          tenant,
          occurred_at: at,
          record_id: null,
          data: {
            stage,
            batch_id: batchId,
            input_stream: stage === 'order-analysis' ? 'RECORDS' : 'ENRICHMENT',
            records: records.map((r) => line(r, at)),
          },
        },
        { stage },
      );
      return js.publish(event.subject, JSON.stringify(event.payload));
    },
    close: async () => {
      await app.close();
      const jsm = await jetstreamManager(nc);
      for (const [stream, durable] of [
        ...recordsConsumers(tenant).map((c) => ['RECORDS', c.durable]),
        ['ENRICHMENT', monitorDurable('stages', tenant)],
        ['RECORDS', monitorDurable('rules', tenant)],
      ])
        await jsm.consumers.delete(stream, durable).catch(() => false);
      await nc.close();
    },
  };
}

export type Monitor = Awaited<ReturnType<typeof startMonitor>>;

export const input = (recordId: string, receivedAt: string) => ({
  record_type: 'exception' as const,
  source: 'test',
  external_id: recordId,
  received_at: receivedAt,
  payload: { order_number: 'EU-1', description: 'The parcel never arrived.' },
});

type BatchRecord = EventPayload<'enrichment.batch'>['data']['records'][number];
/** A line of a batch report: what a test names, the rest as a first attempt gives it. */
export type BatchLine = Pick<BatchRecord, 'record_id' | 'status'> & Partial<BatchRecord>;

const FINAL = ['COMPLETED', 'SKIPPED', 'FAILED'];

function line(r: BatchLine, at: string): BatchRecord {
  return {
    record_type: 'exception',
    received_at: at,
    retry_count: r.errors?.length ?? 0,
    errors: [],
    confidence: null,
    duration_ms: 2.5,
    finished_at: FINAL.includes(r.status) ? at : null,
    input_seq: 1,
    output_seq: FINAL.includes(r.status) && r.status !== 'FAILED' ? 2 : null,
    escalated: null,
    ...r,
  };
}

/** The reports of one record that went through every stage, as the stages publish them. */
export function completedRecord(monitor: Monitor, confidence: number, at: Date) {
  const id = randomUUID();
  const t = (ms: number) => new Date(at.getTime() + ms).toISOString();
  const received_at = t(0);
  const resolved = confidence >= 0.7;
  return {
    id,
    received: () =>
      monitor.publish('records.received', id, input(id, t(0)), t(0), { type: 'exception' }),
    /** The reports of the first two stages. */
    done: async () => {
      const line = { record_id: id, status: 'COMPLETED' as const, received_at };
      await monitor.report('order-analysis', [{ ...line, confidence: 0.9 }], t(10));
      await monitor.report('classification', [{ ...line, confidence }], t(20));
    },
    completed: () =>
      monitor.report(
        'resolution',
        [
          resolved
            ? { record_id: id, status: 'COMPLETED', confidence: 0.9, received_at }
            : { record_id: id, status: 'SKIPPED', received_at },
        ],
        t(30),
      ),
  };
}
