import { EVENTS, filterOf, type EventPayload } from '@refinery/contracts';
import { countMessages, storedMessages } from '@refinery/testing';
import { DataSource } from 'typeorm';
import { Ingestion, newTenant, order, post, postSegment, startIngestion } from './ingestion-app';

type Behavior = EventPayload<'records.behavior'>;

/** A track call as analytics-node sends it, fields Refinery does not read included. */
const trackCall = (messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  userId: 'u-42',
  anonymousId: null,
  event: 'Order Completed',
  properties: { order_id: 'A-1', revenue: 25.5, items: [{ sku: 'SKU-1' }] },
  messageId,
  timestamp: '2026-11-20T10:30:00.250+01:00',
  context: {
    campaign: { source: 'newsletter', medium: 'email', name: 'winter-sale' },
    library: { name: 'analytics-node', version: '2.1.0' },
    ip: '203.0.113.7',
  },
  integrations: { All: true },
  _metadata: { jsRuntime: 'node' },
  sentAt: '2026-11-20T09:30:01.000Z',
  ...extra,
});

const identifyCall = (messageId: string, extra: Record<string, unknown> = {}) => ({
  type: 'identify',
  anonymousId: 'anon-7',
  traits: { email: 'ana@example.com', plan: 'pro' },
  messageId,
  ...extra,
});

describe('Segment calls: POST /v1/track, /v1/identify, /v1/batch', () => {
  let ingestion: Ingestion;
  beforeAll(async () => {
    ingestion = await startIngestion();
  });
  afterAll(() => ingestion.close());

  const behaviour = (slug: string) =>
    storedMessages<Behavior>(
      ingestion.nc,
      'RECORDS',
      filterOf('records.behavior', { tenant: slug }),
    );
  const received = (slug: string) =>
    countMessages(ingestion.nc, 'RECORDS', filterOf('records.received', { tenant: slug }));
  const records = async (tenantId: string): Promise<number> =>
    (
      await ingestion.app
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM records WHERE tenant_id = $1', [tenantId])
    )[0].n;

  it('publishes a track call on records.behavior.<tenant>.track, exactly as the contract says, before answering 200', async () => {
    const { slug, tenant, apiKey } = await newTenant(ingestion);
    const res = await postSegment(ingestion.url, 'track', trackCall('ajs-t-1'), { apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });

    const [message, ...more] = await behaviour(slug);
    expect(more).toEqual([]);
    expect(message.subject.split('.').slice(2)).toEqual([slug, 'track']);
    expect(message.headers['Nats-Msg-Id']).toBe(`behavior:${slug}:ajs-t-1`);
    const receivedAt = message.data.data.received_at;
    expect(Date.now() - Date.parse(receivedAt)).toBeLessThan(60_000);
    expect(message.data).toEqual({
      id: 'behavior:ajs-t-1',
      tenant: slug,
      type: 'records.behavior',
      schema_version: 1,
      occurred_at: '2026-11-20T09:30:00.250Z',
      record_id: null,
      data: {
        kind: 'track',
        message_id: 'ajs-t-1',
        user_id: 'u-42',
        anonymous_id: null,
        event: 'Order Completed',
        properties: { order_id: 'A-1', revenue: 25.5, items: [{ sku: 'SKU-1' }] },
        traits: {},
        timestamp: '2026-11-20T09:30:00.250Z',
        received_at: receivedAt,
        campaign: {
          source: 'newsletter',
          medium: 'email',
          name: 'winter-sale',
          term: null,
          content: null,
        },
      },
    });
    expect(EVENTS['records.behavior'].schema.safeParse(message.data).success).toBe(true);
    // Not a record: nothing stored, nothing for enrichment.
    expect(await received(slug)).toBe(0);
    expect(await records(tenant.id)).toBe(0);
  });

  it('publishes an identify call on records.behavior.<tenant>.identify, stamped with the time received', async () => {
    const { slug, apiKey } = await newTenant(ingestion);
    const before = new Date().toISOString();
    const res = await postSegment(ingestion.url, 'identify', identifyCall('ajs-i-1'), { apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });

    const [message] = await behaviour(slug);
    expect(message.subject.split('.').slice(2)).toEqual([slug, 'identify']);
    const { data } = message.data;
    expect(data).toEqual({
      kind: 'identify',
      message_id: 'ajs-i-1',
      user_id: null,
      anonymous_id: 'anon-7',
      event: null,
      properties: {},
      traits: { email: 'ana@example.com', plan: 'pro' },
      timestamp: data.received_at,
      received_at: data.received_at,
      campaign: null,
    });
    expect(data.received_at >= before).toBe(true);
    expect(message.data.occurred_at).toBe(data.received_at);
    expect(await received(slug)).toBe(0);
  });

  it('publishes the valid calls of a batch and names the others, the batch context applying to calls without one', async () => {
    const { slug, tenant, apiKey } = await newTenant(ingestion);
    const body = {
      batch: [
        trackCall('b-1', { context: { library: { name: 'analytics-python' } } }),
        identifyCall('b-2'),
        { type: 'page', userId: 'u-42', name: 'Home', messageId: 'b-3' },
        trackCall('b-4', { event: undefined }),
      ],
      context: { campaign: { source: 'ads', term: 'boots' } },
      sentAt: '2026-11-20T09:30:01.000Z',
    };
    const res = await postSegment(ingestion.url, 'batch', body, { apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      accepted: 2,
      invalid: 2,
      errors: [
        { path: 'batch[2].type', message: expect.stringMatching(/"track" or "identify"/) },
        { path: 'batch[3].event', message: expect.any(String) },
      ],
    });

    const messages = await behaviour(slug);
    expect(messages.map((m) => [m.data.data.kind, m.data.data.message_id])).toEqual([
      ['track', 'b-1'],
      ['identify', 'b-2'],
    ]);
    const campaign = { source: 'ads', medium: null, name: null, term: 'boots', content: null };
    expect(messages.map((m) => m.data.data.campaign)).toEqual([campaign, campaign]);
    expect(await received(slug)).toBe(0);
    expect(await records(tenant.id)).toBe(0);
  });

  it('stores a resent call once, with or without a messageId, and keeps the same id of two tenants apart', async () => {
    const { slug, apiKey } = await newTenant(ingestion);
    const other = await newTenant(ingestion);
    const call = trackCall('dup-ü 😀-1');
    const { messageId: _, ...noId } = trackCall('');
    for (const body of [call, call, noId, { ...noId, sentAt: '2026-11-20T09:31:00Z' }]) {
      expect((await postSegment(ingestion.url, 'track', body, { apiKey })).status).toBe(200);
    }
    const batch = { batch: [call, call, noId] };
    expect((await postSegment(ingestion.url, 'batch', batch, { apiKey })).body).toMatchObject({
      accepted: 3,
      invalid: 0,
    });
    await postSegment(ingestion.url, 'track', call, { apiKey: other.apiKey });

    const ids = (await behaviour(slug)).map((m) => m.data.id);
    expect(ids).toEqual([
      'behavior:dup-ü 😀-1',
      expect.stringMatching(/^behavior:derived-[0-9a-f-]{36}$/),
    ]);
    expect((await behaviour(other.slug)).map((m) => m.data.id)).toEqual(['behavior:dup-ü 😀-1']);
  });

  it('answers 400 problem+json naming a missing userId/anonymousId or event, and publishes nothing', async () => {
    const { slug, apiKey } = await newTenant(ingestion);
    const cases: ['track' | 'identify' | 'batch', unknown, string[]][] = [
      ['track', trackCall('m-1', { userId: undefined }), ['userId']],
      ['track', trackCall('m-2', { event: undefined }), ['event']],
      ['track', trackCall('m-3', { event: '', userId: null }), ['event', 'userId']],
      ['identify', identifyCall('m-4', { anonymousId: undefined }), ['userId']],
      [
        'track',
        trackCall('m-5', { properties: [1], timestamp: 'today' }),
        ['properties', 'timestamp'].sort(),
      ],
      ['batch', { batch: [identifyCall('m-6', { anonymousId: null })] }, ['batch[0].userId']],
      ['batch', { batch: [] }, ['batch']],
      ['batch', { batch: [trackCall('m-7')], context: { campaign: 'x' } }, ['context.campaign']],
    ];
    for (const [route, body, paths] of cases) {
      const res = await postSegment(ingestion.url, route, body, { apiKey });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.errors?.map((e) => e.path).sort()).toEqual(paths);
    }
    expect(await behaviour(slug)).toEqual([]);
  });

  it('takes the API key as the HTTP Basic user name, with or without the colon', async () => {
    const { slug, apiKey } = await newTenant(ingestion);
    for (const [basic, id] of [
      [`${apiKey}:`, 'basic-1'],
      [apiKey, 'basic-2'],
    ]) {
      const res = await postSegment(ingestion.url, 'track', trackCall(id), { basic });
      expect(res.status).toBe(200);
    }
    const wrong = await postSegment(ingestion.url, 'track', trackCall('basic-3'), {
      basic: 'rk_nobody_0000000000000000:',
    });
    expect(wrong.status).toBe(401);
    const none = await postSegment(ingestion.url, 'identify', identifyCall('basic-4'), {});
    expect(none.status).toBe(401);
    expect((await behaviour(slug)).map((m) => m.data.data.message_id)).toEqual([
      'basic-1',
      'basic-2',
    ]);
  });

  it('answers 403 to a key without the ingest scope, on every route', async () => {
    const { slug } = await newTenant(ingestion);
    const { key } = await ingestion.tenants.key(slug, ['read', 'review', 'admin']);
    const calls: ['track' | 'identify' | 'batch', unknown][] = [
      ['track', trackCall('s-1')],
      ['identify', identifyCall('s-2')],
      ['batch', { batch: [trackCall('s-3')] }],
    ];
    for (const [route, body] of calls) {
      const viaHeader = await postSegment(ingestion.url, route, body, { apiKey: key });
      expect(viaHeader.status).toBe(403);
      expect(viaHeader.body.detail).toMatch(/"ingest" scope/);
      expect((await postSegment(ingestion.url, route, body, { basic: `${key}:` })).status).toBe(
        403,
      );
    }
    expect(await behaviour(slug)).toEqual([]);
  });

  it("shares the tenant's rate and the batch limit with /v1/events", async () => {
    const { apiKey } = await newTenant(ingestion, 5);
    const tooMany = { batch: Array.from({ length: 1001 }, (_, i) => trackCall(`r-${i}`)) };
    const refused = await postSegment(ingestion.url, 'batch', tooMany, { apiKey });
    expect(refused.status).toBe(413);
    expect(refused.body.detail).toMatch(/at most 1000 calls/);

    const events = { events: Array.from({ length: 1000 }, (_, i) => order(`r-${i}`)) };
    expect((await post(ingestion.url, events, apiKey)).status).toBe(202);
    const ten = { batch: Array.from({ length: 10 }, (_, i) => trackCall(`r-x${i}`)) };
    const limited = await postSegment(ingestion.url, 'batch', ten, { apiKey });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
  });

  it('documents the three routes at /docs, with their errors', async () => {
    const { apiKey } = await newTenant(ingestion);
    const res = await fetch(`${ingestion.url}/docs-json`, { headers: { 'x-api-key': apiKey } });
    const doc = (await res.json()) as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
    };
    for (const route of ['/v1/track', '/v1/identify', '/v1/batch']) {
      expect(Object.keys(doc.paths[route].post?.responses ?? {}).sort()).toEqual([
        '200',
        '400',
        '401',
        '403',
        '413',
        '429',
      ]);
    }
  });
});
