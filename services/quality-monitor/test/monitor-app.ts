import type { NestExpressApplication } from '@nestjs/platform-express';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  eventOf,
  type EnvelopedEvent,
  type EnvelopeFields,
  type EventParamsArg,
  type StageReports,
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
    close: async () => {
      await app.close();
      const jsm = await jetstreamManager(nc);
      for (const [stream, durable] of [
        ...recordsConsumers(tenant).map((c) => ['RECORDS', c.durable]),
        ['ENRICHMENT', monitorDurable('stages', tenant)],
        ['ENRICHMENT', monitorDurable('completed', tenant)],
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

export function report(status: string, output: unknown, at: string, errors: string[] = []) {
  return {
    status,
    output,
    skip_reason: status === 'SKIPPED' ? 'no problem found' : null,
    retry_count: errors.length,
    errors,
    provider: 'local',
    model_version: 'local:1',
    first_attempt_at: at,
    finished_at: at,
    duration_ms: 2.5,
  };
}

export const ANALYSIS = { problems: [{ code: 'LATE_SHIPMENT', confidence: 0.9 }] };
export const LABEL = (confidence: number) => ({
  ai_label: 'DELIVERY_DELAY',
  ai_confidence: confidence,
  explanation: [{ feature: 'never_arrived', weight: 1.2 }],
});
export const ACTION = {
  action: 'CONTACT_CARRIER',
  automatable: true,
  rationale: 'The carrier holds it.',
  confidence: 0.9,
};

/** The events of one record that went through every stage, as the stages publish them. */
export function completedRecord(monitor: Monitor, confidence: number, at: Date) {
  const id = randomUUID();
  const t = (ms: number) => new Date(at.getTime() + ms).toISOString();
  const stages1 = { 'order-analysis': report('COMPLETED', ANALYSIS, t(10)) };
  const stages2 = { ...stages1, classification: report('COMPLETED', LABEL(confidence), t(20)) };
  const resolved = confidence >= 0.7;
  const stages3 = {
    ...stages2,
    resolution: resolved ? report('COMPLETED', ACTION, t(30)) : report('SKIPPED', null, t(30)),
  } as StageReports;
  return {
    id,
    received: () =>
      monitor.publish('records.received', id, input(id, t(0)), t(0), { type: 'exception' }),
    /** The done events of the first two stages. */
    done: async () => {
      for (const [stage, stages, at] of [
        ['order-analysis', stages1, t(10)],
        ['classification', stages2, t(20)],
      ] as const) {
        const data = { stage, input: input(id, t(0)), stages };
        await monitor.publish('enrichment.done', id, data, at, { stage });
      }
    },
    completed: () =>
      monitor.publish(
        'enrichment.completed',
        id,
        { input: input(id, t(0)), stages: stages3, completed_at: t(30), latency_ms: 30 },
        t(30),
      ),
  };
}
