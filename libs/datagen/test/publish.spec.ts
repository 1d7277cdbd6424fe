import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { filterOf, type EventPayload } from '@refinery/contracts';
import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import {
  countMessages,
  eventually,
  startServiceProcess,
  storedMessages,
  TestTenants,
  type ServiceProcess,
  type TestTenant,
} from '@refinery/testing';
import type { DataSource } from 'typeorm';
import { generate, loadSchema, type EventPublisher, type GeneratedEvent } from '../src';
import { HttpPublisher, NatsPublisher, publisherFor } from '../src/publish';

/**
 * The ecomm run every test publishes: orders, exceptions and transcripts go in as records;
 * sessions, touchpoints and exposures as Segment track calls over HTTP, skipped over NATS.
 */
const run = (publisher: EventPublisher) =>
  generate({ schema: loadSchema('ecomm'), seed: 7, rows: 3000, publisher });

/** The rows of a run that become records: orders, exceptions and calls. */
const recordsOf = (nodes: Record<string, number>) => nodes.orders + nodes.exceptions + nodes.calls;
/** The rows of a run that become track calls: funnel steps, touches and exposures. */
const tracksOf = (nodes: Record<string, number>) =>
  nodes.sessions + nodes.touchpoints + nodes.exposures;

type Behavior = EventPayload<'records.behavior'>;

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
  /** Behavioural events on records.behavior for the tenant, as the RECORDS stream holds them. */
  const behaviour = (tenant: TestTenant) =>
    countMessages(nc, 'RECORDS', filterOf('records.behavior', { tenant: tenant.slug }));
  const http = (
    tenant: TestTenant,
    extra: Partial<ConstructorParameters<typeof HttpPublisher>[0]> = {},
  ) => new HttpPublisher({ baseUrl: ingestion.url, apiKey: tenant.apiKey, ...extra });

  it('stores every order, exception and transcript once, publishes each track call once, and a rerun is kept once', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    const first = await run(http(tenant));
    const { orders, exceptions, calls, sessions, touchpoints, exposures } = first.summary.nodes;
    const records = recordsOf(first.summary.nodes);
    const tracks = tracksOf(first.summary.nodes);
    expect(calls).toBeGreaterThan(0);
    expect([sessions, touchpoints, exposures].every((n) => n > 0)).toBe(true);
    const publish = first.summary.publish;
    expect(publish).toMatchObject({
      sent: records + tracks,
      accepted: records + tracks,
      duplicates: 0,
      rejected: 0,
      skipped: 0,
    });
    expect(publish?.by_type.order).toMatchObject({ accepted: orders });
    expect(publish?.by_type.exception).toMatchObject({ accepted: exceptions });
    expect(publish?.by_type.transcript).toMatchObject({
      sent: calls,
      accepted: calls,
      rejected: 0,
    });
    const allTracked = { sent: tracks, accepted: tracks, rejected: 0, duplicates: 0, skipped: 0 };
    expect(publish?.by_type.track).toEqual(allTracked);
    const expected = {
      exception: { n: exceptions, ids: exceptions },
      order: { n: orders, ids: orders },
      transcript: { n: calls, ids: calls },
    };
    // Track calls are no records: nothing stored for them, nothing announced.
    expect(await stored(tenant)).toEqual(expected);
    expect(await announced(tenant)).toBe(records);
    expect(await announced(tenant, 'transcript')).toBe(calls);

    const messages = await storedMessages<Behavior>(
      nc,
      'RECORDS',
      filterOf('records.behavior', { tenant: tenant.slug }),
    );
    expect(messages).toHaveLength(tracks);
    const events = messages.map((m) => m.data.data);
    expect(new Set(events.map((e) => e.message_id)).size).toBe(tracks);
    expect(events.every((e) => e.kind === 'track' && e.user_id?.startsWith('C'))).toBe(true);
    const named = (...names: string[]) => events.filter((e) => names.includes(String(e.event)));
    const viewed = named('Experiment Viewed');
    const touched = named('touch', 'conversion');
    expect(viewed).toHaveLength(exposures);
    expect(touched).toHaveLength(touchpoints);
    expect(viewed.every((e) => e.message_id.startsWith('EXP-'))).toBe(true);
    for (const { properties } of viewed) {
      // `revenue` is left out when the row has none, as every null of a template is.
      expect(properties).toMatchObject({
        experiment_id: expect.any(String),
        variation_name: expect.any(String),
        converted: expect.any(Boolean),
      });
      expect(Object.keys(properties)).not.toContain('journey');
    }
    expect(touched.every((e) => e.message_id.startsWith('TCH-'))).toBe(true);
    // A touch carries its channel as the UTM source; a conversion has no channel.
    expect(touched.every((e) => e.campaign?.medium === 'datagen')).toBe(true);
    expect(named('touch').every((e) => e.campaign?.source)).toBe(true);
    expect(events.filter((e) => e.message_id.startsWith('EVT-'))).toHaveLength(sessions);
    // The call's timestamp is the template's occurred_at: the time of the row, not of the run.
    expect(events.every((e) => e.timestamp < '2026-01-01T00:00:00.000Z')).toBe(true);
    expect(messages.every((m) => m.data.occurred_at === m.data.data.timestamp)).toBe(true);

    // The same run again: records are found stored; /v1/batch does not tell a call JetStream
    // held already from a new one, so track calls count as accepted again, and stay once.
    const again = (await run(http(tenant))).summary.publish;
    expect(again).toMatchObject({ accepted: tracks, duplicates: records, rejected: 0 });
    expect(again?.by_type.track).toEqual(allTracked);
    expect(await stored(tenant)).toEqual(expected);
    expect(await announced(tenant)).toBe(records);
    expect(await behaviour(tenant)).toBe(tracks);
  });

  it('counts the calls ingestion refuses as rejected, with its reasons, and publishes the others', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    const call = (
      type: string,
      id: string,
      data: Record<string, unknown>,
      at = '2025-03-01T10:00:00.000Z',
    ): GeneratedEvent => ({
      type,
      source: 'test',
      external_id: id,
      occurred_at: at,
      // The envelope's id and time win over the data's.
      data: { messageId: 'not-this', timestamp: '2025-01-01T00:00:00Z', ...data },
    });
    const publisher = http(tenant);
    publisher.publish(
      call('track', 'ok-1', { userId: 'u-1', event: 'Viewed', properties: { n: 1 } }),
    );
    publisher.publish(
      call(
        'identify',
        'ok-2',
        { anonymousId: 'a-1', traits: { plan: 'pro' } },
        '2025-03-02T09:00:00+01:00',
      ),
    );
    publisher.publish(call('track', 'bad-1', { event: 'Viewed' }));
    publisher.publish(call('track', 'bad-2', { userId: 'u-1' }));
    const summary = await publisher.close();
    expect(summary.by_type).toEqual({
      identify: { sent: 1, accepted: 1, rejected: 0, duplicates: 0, skipped: 0 },
      track: { sent: 3, accepted: 1, rejected: 2, duplicates: 0, skipped: 0 },
    });
    expect(publisher.rejections()).toEqual([
      'track bad-1: userId: a userId or an anonymousId is required',
      expect.stringMatching(/^track bad-2: event: /),
    ]);
    const messages = await storedMessages<Behavior>(
      nc,
      'RECORDS',
      filterOf('records.behavior', { tenant: tenant.slug }),
    );
    expect(messages.map((m) => [m.subject.split('.').at(-1), m.data.data.message_id])).toEqual([
      ['track', 'ok-1'],
      ['identify', 'ok-2'],
    ]);
    expect(messages[0].data.data).toMatchObject({
      user_id: 'u-1',
      event: 'Viewed',
      properties: { n: 1 },
      timestamp: '2025-03-01T10:00:00.000Z',
    });
    expect(messages[1].data.data).toMatchObject({
      anonymous_id: 'a-1',
      traits: { plan: 'pro' },
      timestamp: '2025-03-02T08:00:00.000Z',
    });

    // A batch none of whose calls is valid is refused whole (400): each counted rejected.
    const refused = http(tenant);
    refused.publish(call('track', 'bad-3', { event: 'Viewed' }));
    refused.publish(call('identify', 'bad-4', {}));
    expect((await refused.close()).by_type).toEqual({
      identify: { sent: 1, accepted: 0, rejected: 1, duplicates: 0, skipped: 0 },
      track: { sent: 1, accepted: 0, rejected: 1, duplicates: 0, skipped: 0 },
    });
    expect(refused.rejections()).toEqual([
      expect.stringMatching(
        /^track bad-3: none of the 2 calls is valid \(first: batch\[0\]\.userId: /,
      ),
    ]);
    expect(await behaviour(tenant)).toBe(2);
  });

  it('splits a batch of calls over the body limit (413) until each part goes in', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    // 20 calls of 600 kB each: 12 MB, over ingestion's 10 MB body limit; each fits a message.
    const blob = 'x'.repeat(600_000);
    const events = Array.from({ length: 20 }, (_, i): GeneratedEvent => ({
      type: 'track',
      source: 'test',
      external_id: `big-${i}`,
      occurred_at: '2025-03-01T10:00:00.000Z',
      data: { userId: 'u-1', event: 'Big', properties: { blob } },
    }));
    const whole = await fetch(`${ingestion.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey },
      body: JSON.stringify({ batch: events.map((e) => ({ type: 'track', ...e.data })) }),
    });
    expect(whole.status).toBe(413);
    const publisher = http(tenant);
    for (const event of events) publisher.publish(event);
    const summary = await publisher.close();
    expect(summary.by_type.track).toMatchObject({ sent: 20, accepted: 20, rejected: 0 });
    expect(await behaviour(tenant)).toBe(20);
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
    const records = recordsOf(summary.nodes);
    const tracks = tracksOf(summary.nodes);
    expect(records + tracks).toBeGreaterThan(1000);
    expect(publisher.stats.throttled).toBeGreaterThan(0);
    expect(summary.publish).toMatchObject({
      accepted: records + tracks,
      duplicates: 0,
      rejected: 0,
    });
    expect(summary.publish?.by_type.track).toMatchObject({ accepted: tracks });
    const rows = Object.values(await stored(tenant));
    expect(rows.reduce((sum, r) => sum + r.ids, 0)).toBe(records);
    expect(rows.every((r) => r.n === r.ids)).toBe(true);
    expect(await behaviour(tenant)).toBe(tracks);
  });

  it('retries a batch of records and one of calls whose answers were lost, and counts their duplicates as accepted', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    const proxy = await losingProxy(ingestion.url, { '/v1/events': 1, '/v1/batch': 1 });
    try {
      const publisher = new HttpPublisher({ baseUrl: proxy.url, apiKey: tenant.apiKey });
      const { summary } = await run(publisher);
      const records = recordsOf(summary.nodes);
      const tracks = tracksOf(summary.nodes);
      expect(publisher.stats.retried).toBe(2);
      expect(summary.publish).toMatchObject({
        accepted: records + tracks,
        duplicates: 0,
        rejected: 0,
      });
      expect(await announced(tenant)).toBe(records);
      expect(await behaviour(tenant)).toBe(tracks);
    } finally {
      await proxy.close();
    }
  });

  it('paces to the rate asked for', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    const { summary } = await run(http(tenant, { rate: 1000 }));
    // The first batch (100 events at 1,000/s) goes at once, the rest at the rate.
    const expected = recordsOf(summary.nodes) + tracksOf(summary.nodes);
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

  it('publishes records to ingest subjects over NATS, skipping track calls, and ingestion stores each record once', async () => {
    const tenant = await tenants.create({ prefix: 'datagen' });
    const publisher = new NatsPublisher({
      url: process.env.NATS_URL as string,
      tenant: tenant.slug,
    });
    const { summary } = await run(publisher);
    const { orders, exceptions, calls } = summary.nodes;
    const records = recordsOf(summary.nodes);
    const tracks = tracksOf(summary.nodes);
    // There is no ingest subject for behavioural events: they go in over HTTP only.
    expect(summary.publish).toMatchObject({
      sent: records,
      accepted: 0,
      duplicates: 0,
      skipped: tracks,
    });
    expect(summary.publish?.by_type.transcript).toMatchObject({ sent: calls });
    expect(summary.publish?.by_type.track).toEqual({
      sent: 0,
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      skipped: tracks,
    });
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
    expect(again).toMatchObject({ sent: records, duplicates: records, skipped: tracks });
    expect(await stored(tenant)).toEqual(expected);
    expect(await announced(tenant)).toBe(records);
    expect(await behaviour(tenant)).toBe(0);
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

/**
 * In front of ingestion: forwards every request, but answers the first `lose[path]` requests
 * to each path with 502, after ingestion handled them.
 */
async function losingProxy(target: string, lose: Record<string, number>) {
  const seen = new Map<string, number>();
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
    const path = String(req.url);
    seen.set(path, (seen.get(path) ?? 0) + 1);
    if ((seen.get(path) ?? 0) <= (lose[path] ?? 0)) res.writeHead(502).end('bad gateway');
    else res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
