import { filterOf, subjectOf } from '@refinery/contracts';
import { countMessages, lastMessage } from '@refinery/testing';
import { DataSource } from 'typeorm';
import { Ingestion, newTenant, order, post, startIngestion, transcript } from './ingestion-app';

describe('POST /v1/events', () => {
  let ingestion: Ingestion;
  beforeAll(async () => {
    ingestion = await startIngestion({ INGEST_MAX_BODY: '1mb' });
  });
  afterAll(() => ingestion.close());

  const published = (slug: string) =>
    countMessages(ingestion.nc, 'RECORDS', filterOf('records.received', { tenant: slug }));

  it('stores a valid order, publishes records.received, and answers 202 with the record id', async () => {
    const { slug, apiKey } = await newTenant(ingestion);
    const res = await post(ingestion.url, order('o-1'), apiKey);
    expect(res.status).toBe(202);
    const body = res.body;
    expect(body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'accepted' });

    const [row] = await ingestion.app
      .get(DataSource)
      .query('SELECT type, source, external_id, data FROM records WHERE id = $1', [body.id]);
    expect(row).toMatchObject({
      type: 'order',
      source: 'shop-eu',
      external_id: 'o-1',
      data: { order_number: 'A-o-1' },
    });
    expect(await published(slug)).toBe(1);
    const msg = await lastMessage<{ record_id: string; data: { external_id: string } }>(
      ingestion.nc,
      'RECORDS',
      subjectOf('records.received', { tenant: slug, type: 'order' }),
    );
    expect(msg?.data.record_id).toBe(body.id);
    expect(msg?.data.data.external_id).toBe('o-1');
    expect(msg?.headers['Nats-Msg-Id']).toBe(`${body.id}:received`);
  });

  it('stores a valid transcript and announces it on records.received.<tenant>.transcript', async () => {
    const { slug, apiKey } = await newTenant(ingestion);
    const res = await post(ingestion.url, transcript('t-1', { sentiment_hint: 'calm' }), apiKey);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'accepted' });

    const [row] = await ingestion.app
      .get(DataSource)
      .query('SELECT type, external_id, data FROM records WHERE id = $1', [res.body.id]);
    expect(row).toMatchObject({
      type: 'transcript',
      external_id: 't-1',
      data: { order_number: 'A-t-1', channel: 'phone', sentiment_hint: 'calm' },
    });
    const msg = await lastMessage<{
      record_id: string;
      data: { record_type: string; payload: { turns: unknown[] } };
    }>(
      ingestion.nc,
      'RECORDS',
      subjectOf('records.received', { tenant: slug, type: 'transcript' }),
    );
    expect(msg?.data.record_id).toBe(res.body.id);
    expect(msg?.data.data.record_type).toBe('transcript');
    expect(msg?.data.data.payload.turns).toHaveLength(2);
    expect(await published(slug)).toBe(1);
  });

  it('answers 400 naming the bad fields of a transcript, an end before its start among them', async () => {
    const { slug, apiKey } = await newTenant(ingestion);
    const cases: [unknown, string[]][] = [
      [transcript('t-2', { ended_at: '2026-11-22T09:04:59Z' }), ['data.ended_at']],
      [transcript('t-3', { channel: 'fax', text: '' }), ['data.channel', 'data.text']],
      [transcript('t-4', { turns: [{ speaker: 'bot', text: 'hi' }] }), ['data.turns[0].speaker']],
      [transcript('t-5', { text: 'x'.repeat(50_001) }), ['data.text']],
    ];
    for (const [body, paths] of cases) {
      const res = await post(ingestion.url, body, apiKey);
      expect(res.status).toBe(400);
      expect(res.body.errors?.map((e) => e.path).sort()).toEqual(paths);
    }
    const [early] = (await post(ingestion.url, cases[0][0], apiKey)).body.errors ?? [];
    expect(early.message).toMatch(/started_at/);
    expect(await published(slug)).toBe(0);
  });

  it('answers 400 problem+json naming every bad field', async () => {
    const { apiKey } = await newTenant(ingestion);
    const bad = order('o-2', { occurred_at: 'last tuesday' });
    (bad.data as Record<string, unknown>).currency = 'euros';
    const res = await post(ingestion.url, bad, apiKey);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = res.body;
    expect(problem).toMatchObject({
      status: 400,
      title: expect.any(String),
      instance: '/v1/events',
    });
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['data.currency', 'occurred_at']);
  });

  it('returns the same id for the same (source, external_id) and publishes nothing new', async () => {
    const { slug, apiKey } = await newTenant(ingestion);
    const first = (await post(ingestion.url, order('o-3'), apiKey)).body;
    const again = await post(
      ingestion.url,
      order('o-3', { occurred_at: '2026-11-21T00:00:00Z' }),
      apiKey,
    );
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ id: first.id, status: 'duplicate' });
    expect(await published(slug)).toBe(1);
  });

  it('answers 401 without a key and with an unknown key', async () => {
    const none = await post(ingestion.url, order('o-4'));
    expect(none.status).toBe(401);
    expect(none.body.detail).toMatch(/x-api-key/);
    const unknown = await post(ingestion.url, order('o-4'), 'rk_nobody_0000000000000000');
    expect(unknown.status).toBe(401);
  });

  it('answers 413 for a body over the limit and for a batch over 1,000 events', async () => {
    const { apiKey } = await newTenant(ingestion);
    const huge = order('o-5', { data: { ...order('x').data, notes: 'x'.repeat(1100 * 1024) } });
    const tooBig = await post(ingestion.url, huge, apiKey);
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get('content-type')).toMatch(/problem\+json/);

    const tooMany = await post(
      ingestion.url,
      { events: Array.from({ length: 1001 }, () => ({})) },
      apiKey,
    );
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.detail).toMatch(/at most 1000 events/);
  });

  it('answers 429 with Retry-After once a tenant is over its rate', async () => {
    const { apiKey } = await newTenant(ingestion, 5);
    const batch = (n: number, from: number) => ({
      events: Array.from({ length: n }, (_, i) => order(`r-${from + i}`)),
    });
    // The bucket holds one full batch (1,000 events) at least.
    expect((await post(ingestion.url, batch(1000, 0), apiKey)).status).toBe(202);
    const limited = await post(ingestion.url, batch(10, 1000), apiKey);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
  });

  it('gives each event in a batch its own result', async () => {
    const { slug, apiKey } = await newTenant(ingestion);
    await post(ingestion.url, order('b-dup'), apiKey);
    const res = await post(
      ingestion.url,
      { events: [order('b-1'), order('b-bad', { type: 'invoice' }), order('b-dup'), order('b-1')] },
      apiKey,
    );
    expect(res.status).toBe(202);
    const body = res.body;
    expect(body).toMatchObject({ accepted: 1, duplicates: 2, invalid: 1 });
    expect(body.results?.map((r) => r.status)).toEqual([
      'accepted',
      'invalid',
      'duplicate',
      'duplicate',
    ]);
    expect(body.results?.[1].errors?.[0].path).toBe('events[1].type');
    expect(body.results?.[3].id).toBe(body.results?.[0].id);
    expect(await published(slug)).toBe(2);
  });

  it('answers 400 naming the batch path when no event in it is valid', async () => {
    const { apiKey } = await newTenant(ingestion);
    const res = await post(ingestion.url, { events: [order('n-1', { source: '' })] }, apiKey);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].path).toBe('events[0].source');
  });

  it('answers 400 for a body that is not JSON', async () => {
    const { apiKey } = await newTenant(ingestion);
    const res = await post(ingestion.url, undefined, apiKey, '{"type": "order",');
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/not valid JSON/);
  });

  it('documents the endpoint, its errors and the API key at /docs, for any valid key', async () => {
    const { apiKey } = await ingestion.tenants.create({ scopes: ['read'] });
    const refused = await fetch(`${ingestion.url}/docs`);
    expect(refused.status).toBe(401);
    // A browser is asked for the key as the HTTP Basic user name.
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
    const basic = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
    expect(
      (await fetch(`${ingestion.url}/docs`, { headers: { authorization: basic } })).status,
    ).toBe(200);
    const json = await fetch(`${ingestion.url}/docs-json`, { headers: { 'x-api-key': apiKey } });
    const doc = (await json.json()) as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
      components: { securitySchemes: Record<string, { name?: string }> };
    };
    expect(Object.keys(doc.paths['/v1/events'].post?.responses ?? {}).sort()).toEqual([
      '202',
      '400',
      '401',
      '403',
      '413',
      '429',
    ]);
    expect(doc.components.securitySchemes['api-key'].name).toBe('x-api-key');
  });

  it('reports itself ready with Postgres and NATS reachable', async () => {
    const res = await fetch(`${ingestion.url}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', nats: 'ok' } });
  });
});
