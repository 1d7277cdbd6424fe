import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { filterOf } from '@refinery/contracts';
import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import {
  countMessages,
  eventually,
  startServiceProcess,
  TestTenants,
  type ServiceProcess,
  type TestTenant,
} from '@refinery/testing';
import type { DataSource } from 'typeorm';
import { generate, loadSchema, type EventPublisher } from '../src';
import { HttpPublisher, NatsPublisher, publisherFor } from '../src/publish';

/** The ecomm run every test publishes: orders, exceptions and transcripts go in, `track` is skipped. */
const run = (publisher: EventPublisher) =>
  generate({ schema: loadSchema('ecomm'), seed: 7, rows: 3000, publisher });

/** The rows of a run that become events ingestion takes: orders, exceptions and calls. */
const recordsOf = (nodes: Record<string, number>) => nodes.orders + nodes.exceptions + nodes.calls;

describe('publishing generated events to a running ingestion', () => {
  let ingestion: ServiceProcess;
  let tenants: TestTenants;
  let db: DataSource;
  let nc: NatsConnection;

  beforeAll(async () => {
    const env = { ...process.env, DATABASE_USER: undefined };
    [ingestion, tenants, db, nc] = await Promise.all([
      startServiceProcess('ingestion'),
      TestTenants.open(),
      createDataSource({
        schema: 'ingestion',
        entities: [],
        migrations: [],
        config: databaseConfigFromEnv('ingestion', env),
      }).initialize(),
      connect({ servers: process.env.NATS_URL }),
    ]);
  }, 40_000);

  afterAll(async () => {
    await Promise.all([ingestion?.stop(), tenants?.close(), db?.destroy(), nc?.close()]);
  });

  /** Records stored for the tenant by type, with how many distinct external ids they have. */
  const stored = async (tenant: TestTenant) => {
    const rows: { type: string; n: number; ids: number }[] = await db.query(
      `SELECT type, count(*)::int AS n, count(DISTINCT external_id)::int AS ids
         FROM records WHERE tenant_id = $1 GROUP BY type ORDER BY type`,
      [tenant.tenant.id],
    );
    return Object.fromEntries(rows.map((r) => [r.type, { n: r.n, ids: r.ids }]));
  };
  /** Records announced on records.received for the tenant: all, or of one type. */
  const announced = (tenant: TestTenant, type?: string) =>
    countMessages(nc, 'RECORDS', filterOf('records.received', { tenant: tenant.slug, type }));
  const http = (
    tenant: TestTenant,
    extra: Partial<ConstructorParameters<typeof HttpPublisher>[0]> = {},
  ) => new HttpPublisher({ baseUrl: ingestion.url, apiKey: tenant.apiKey, ...extra });

  it('stores every order, exception and transcript once, skips track, and a rerun is all duplicates', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    const first = await run(http(tenant));
    const { orders, exceptions, calls, sessions } = first.summary.nodes;
    const records = recordsOf(first.summary.nodes);
    expect(calls).toBeGreaterThan(0);
    const publish = first.summary.publish;
    expect(publish).toMatchObject({
      sent: records,
      accepted: records,
      duplicates: 0,
      rejected: 0,
      skipped: sessions,
    });
    expect(publish?.by_type.order).toMatchObject({ accepted: orders });
    expect(publish?.by_type.exception).toMatchObject({ accepted: exceptions });
    expect(publish?.by_type.transcript).toMatchObject({
      sent: calls,
      accepted: calls,
      rejected: 0,
    });
    expect(publish?.by_type.track).toMatchObject({ sent: 0, skipped: sessions });
    const expected = {
      exception: { n: exceptions, ids: exceptions },
      order: { n: orders, ids: orders },
      transcript: { n: calls, ids: calls },
    };
    expect(await stored(tenant)).toEqual(expected);
    expect(await announced(tenant)).toBe(records);
    expect(await announced(tenant, 'transcript')).toBe(calls);

    const again = (await run(http(tenant))).summary.publish;
    expect(again).toMatchObject({ accepted: 0, duplicates: records, rejected: 0 });
    expect(await stored(tenant)).toEqual(expected);
    expect(await announced(tenant)).toBe(records);
  });

  it('waits out 429s from a tenant over its rate and loses nothing', async () => {
    // Ingestion's bucket holds 1,000 events whatever the rate: the rest wait on Retry-After.
    const tenant = await tenants.create({ prefix: 'datagen', rateLimitPerS: 400 });
    const publisher = http(tenant, { batchSize: 100 });
    const { summary } = await generate({
      schema: loadSchema('ecomm'),
      seed: 8,
      rows: 6000,
      publisher,
    });
    const expected = recordsOf(summary.nodes);
    expect(expected).toBeGreaterThan(1000);
    expect(publisher.stats.throttled).toBeGreaterThan(0);
    expect(summary.publish).toMatchObject({ accepted: expected, duplicates: 0, rejected: 0 });
    const rows = Object.values(await stored(tenant));
    expect(rows.reduce((sum, r) => sum + r.ids, 0)).toBe(expected);
    expect(rows.every((r) => r.n === r.ids)).toBe(true);
  });

  it('retries a batch whose answer was lost and counts its duplicates as accepted', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    const proxy = await losingProxy(ingestion.url, 1);
    try {
      const publisher = new HttpPublisher({ baseUrl: proxy.url, apiKey: tenant.apiKey });
      const { summary } = await run(publisher);
      const expected = recordsOf(summary.nodes);
      expect(publisher.stats.retried).toBe(1);
      expect(summary.publish).toMatchObject({ accepted: expected, duplicates: 0, rejected: 0 });
      expect(await announced(tenant)).toBe(expected);
    } finally {
      await proxy.close();
    }
  });

  it('paces to the rate asked for', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    const { summary } = await run(http(tenant, { rate: 1000 }));
    // The first batch (100 events at 1,000/s) goes at once, the rest at the rate.
    const expected = recordsOf(summary.nodes);
    expect(summary.publish?.seconds).toBeGreaterThanOrEqual((expected - 100) / 1000 - 0.05);
    expect(summary.publish?.accepted).toBe(expected);
  });

  it('fails fast naming the key when it is unknown or lacks the ingest scope', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    const wrong = `rk_${tenant.slug}_${'x'.repeat(32)}`;
    const started = Date.now();
    await expect(run(http(tenant, { apiKey: wrong }))).rejects.toThrow(
      `does not know the API key rk_${tenant.slug}_…`,
    );
    const readOnly = await tenants.key(tenant.slug, ['read']);
    await expect(run(http(tenant, { apiKey: readOnly.key }))).rejects.toThrow(
      /needs the "ingest" scope/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await stored(tenant)).toEqual({});
  });

  it('publishes to ingest subjects over NATS, and ingestion stores each record once', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    const publisher = new NatsPublisher({
      url: process.env.NATS_URL as string,
      tenant: tenant.slug,
    });
    const { summary } = await run(publisher);
    const { orders, exceptions, calls, sessions } = summary.nodes;
    const records = recordsOf(summary.nodes);
    expect(summary.publish).toMatchObject({
      sent: records,
      accepted: 0,
      duplicates: 0,
      skipped: sessions,
    });
    expect(summary.publish?.by_type.transcript).toMatchObject({ sent: calls });
    const expected = {
      exception: { n: exceptions, ids: exceptions },
      order: { n: orders, ids: orders },
      transcript: { n: calls, ids: calls },
    };
    await eventually(async () => JSON.stringify(await stored(tenant)) === JSON.stringify(expected));

    // Within JetStream's duplicate window, the same run is dropped by its Nats-Msg-Id.
    const again = (
      await run(new NatsPublisher({ url: process.env.NATS_URL as string, tenant: tenant.slug }))
    ).summary.publish;
    expect(again).toMatchObject({ sent: records, duplicates: records });
    expect(await stored(tenant)).toEqual(expected);
    expect(await announced(tenant)).toBe(records);
  });

  it('picks the publisher by the target scheme', () => {
    expect(publisherFor('http://127.0.0.1:1', { apiKey: 'k' })).toBeInstanceOf(HttpPublisher);
    expect(() => publisherFor('http://127.0.0.1:1')).toThrow(/needs an API key/);
    expect(() => publisherFor('nats://127.0.0.1:1')).toThrow(/needs the tenant/);
    expect(() => publisherFor('kafka://broker:9092', { tenant: 'acme' })).toThrow(
      "cannot publish to kafka://: use http://, https:// (ingestion's API) or nats://",
    );
    expect(() => publisherFor('localhost:3000')).toThrow();
  });

  it('fails with the address when NATS is not there', async () => {
    const publisher = publisherFor('nats://127.0.0.1:1', { tenant: 'acme' });
    await expect(run(publisher)).rejects.toThrow(
      /could not connect to NATS at nats:\/\/127.0.0.1:1/,
    );
  });
});

/** In front of ingestion: forwards every request, but answers the first `lose` with 502. */
async function losingProxy(target: string, lose: number) {
  let seen = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers: {
        'content-type': 'application/json',
        'x-api-key': String(req.headers['x-api-key']),
      },
      body: Buffer.concat(chunks),
    });
    const body = await upstream.text();
    if (seen++ < lose) res.writeHead(502).end('bad gateway');
    else res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
