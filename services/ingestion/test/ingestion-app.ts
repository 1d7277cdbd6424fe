import type { NestExpressApplication } from '@nestjs/platform-express';
import { connect } from '@nats-io/transport-node';
import { natsAuthOptions } from '@refinery/messaging';
import {
  createServiceApp,
  loadConfig,
  natsCredentialsOf,
  startServiceApp,
} from '@refinery/runtime';
import { TestTenants } from '@refinery/testing';
import { AppModule } from '../src/app.module';
import { IngestionConfigSchema } from '../src/config';

export type NatsConnection = Awaited<ReturnType<typeof connect>>;

/** The ingestion service, in this process, on a free port, against refinery_test. */
export async function startIngestion(env: Record<string, string> = {}) {
  const config = loadConfig(IngestionConfigSchema, {
    DATABASE_NAME: 'refinery_test',
    ...process.env,
    LOG_LEVEL: 'warn',
    ...env,
  });
  process.env.DATABASE_NAME ??= 'refinery_test';
  const app: NestExpressApplication = await createServiceApp({
    name: 'ingestion',
    module: AppModule.forRoot(config),
    description: 'test',
    bodyLimit: config.INGEST_MAX_BODY,
    logLevel: 'warn',
  });
  const port = await startServiceApp(app, 0);
  const nc = await connect({
    servers: config.NATS_URL,
    ...natsAuthOptions(natsCredentialsOf(config)),
  });
  const tenants = await TestTenants.open();
  return {
    app,
    nc,
    url: `http://127.0.0.1:${port}`,
    tenants,
    close: async () => {
      await tenants.close();
      await nc.close();
      await app.close();
    },
  };
}

export type Ingestion = Awaited<ReturnType<typeof startIngestion>>;

/** A fresh tenant and a key with every tenant scope. */
export function newTenant(ingestion: Ingestion, rateLimitPerS?: number) {
  return ingestion.tenants.create({ rateLimitPerS });
}

export function order(externalId: string, overrides: Record<string, unknown> = {}) {
  return {
    type: 'order',
    source: 'shop-eu',
    external_id: externalId,
    occurred_at: '2026-11-20T09:30:00Z',
    data: {
      order_number: `A-${externalId}`,
      customer: { id: 'c-42', email: 'ana@example.com' },
      items: [{ sku: 'SKU-1', quantity: 2, unit_price: 12.5 }],
      currency: 'EUR',
      total: 25,
      status: 'paid',
    },
    ...overrides,
  };
}

/** A call transcript about order `A-<externalId>`: stored and announced, never enriched. */
export function transcript(externalId: string, data: Record<string, unknown> = {}) {
  return {
    type: 'transcript',
    source: 'contact-center',
    external_id: externalId,
    occurred_at: '2026-11-22T09:05:00Z',
    data: {
      order_number: `A-${externalId}`,
      channel: 'phone',
      text: 'Customer: where is my parcel? Agent: DHL has it, it arrives tomorrow.',
      turns: [
        { speaker: 'customer', text: 'Where is my parcel?', at: '2026-11-22T09:05:10Z' },
        { speaker: 'agent', text: 'DHL has it, it arrives tomorrow.' },
      ],
      started_at: '2026-11-22T09:05:00Z',
      ended_at: '2026-11-22T09:06:00Z',
      ...data,
    },
  };
}

interface FieldError {
  path: string;
  message: string;
}

/** What ingestion answers: an accepted event, a batch summary, or a problem document. */
export interface ReplyBody {
  success?: boolean;
  id?: string;
  status?: string | number;
  title?: string;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  accepted?: number;
  duplicates?: number;
  invalid?: number;
  results?: { index: number; status: string; id?: string; errors?: FieldError[] }[];
}

export async function post(url: string, body: unknown, apiKey?: string, raw?: string) {
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    body: raw ?? JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as ReplyBody };
}

/** A Segment call to /v1/track, /v1/identify or /v1/batch, with the key as x-api-key or Basic. */
export async function postSegment(
  url: string,
  route: 'track' | 'identify' | 'batch',
  body: unknown,
  auth: { apiKey: string } | { basic: string } | Record<string, never>,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if ('apiKey' in auth) headers['x-api-key'] = auth.apiKey;
  if ('basic' in auth)
    headers.authorization = `Basic ${Buffer.from(auth.basic).toString('base64')}`;
  const res = await fetch(`${url}/v1/${route}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as ReplyBody };
}
