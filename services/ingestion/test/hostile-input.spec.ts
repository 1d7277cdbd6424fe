import { jetstream } from '@nats-io/jetstream';
import { filterOf, IncomingEvent, subjectOf } from '@refinery/contracts';
import { countMessages, eventually, storedMessages } from '@refinery/testing';
import { DataSource } from 'typeorm';
import { AcceptRecordsUseCase } from '../src/records/accept-records.use-case';
import { Ingestion, newTenant, order, post, postSegment, startIngestion } from './ingestion-app';

/** An order with `extra` merged into its data. */
const orderWith = (externalId: string, extra: Record<string, unknown>) => {
  const event = order(externalId);
  return { ...event, data: { ...event.data, ...extra } };
};

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe('hostile input', () => {
  let ingestion: Ingestion;
  let db: DataSource;
  beforeAll(async () => {
    ingestion = await startIngestion();
    db = ingestion.app.get(DataSource);
  });
  afterAll(() => ingestion.close());

  const stored = async (tenantId: string): Promise<{ external_id: string; data: object }[]> => {
    const rows: { external_id: string; data: string }[] = await db.query(
      'SELECT external_id, data::text AS data FROM records WHERE tenant_id = $1 ORDER BY external_id',
      [tenantId],
    );
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as object }));
  };
  const records = (slug: string) => filterOf('records.received', { tenant: slug });
  const published = (slug: string) => countMessages(ingestion.nc, 'RECORDS', records(slug));

  describe('over HTTP', () => {
    it('answers 400 naming the path of a NUL, too deep a nesting, too many keys, too long a string', async () => {
      const { apiKey } = await newTenant(ingestion);
      const keys = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, i]));
      const cases: [unknown, string][] = [
        [orderWith('h-1', { note: 'a\u0000b' }), 'data.note'],
        [orderWith('h-2', { ['bad\u0000key']: 1 }), 'data["bad\\u0000key"]'],
        [orderWith('h-3', { deep: nested(31) }), `data.deep${'.a'.repeat(30)}`],
        [orderWith('h-4', { wide: keys }), 'data.wide'],
        [orderWith('h-5', { notes: 'x'.repeat(10_001) }), 'data.notes'],
        [{ ...order('h-6'), external_id: 'x\ud800' }, 'external_id'],
      ];
      for (const [body, path] of cases) {
        const res = await post(ingestion.url, body, apiKey);
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body.errors?.map((e) => e.path)).toEqual([path]);
      }
    });

    it('answers 400 to bytes that are not UTF-8 inside a string, as NATS intake rejects them', async () => {
      const { apiKey } = await newTenant(ingestion);
      const [head, tail] = JSON.stringify(orderWith('h-utf8', { note: '@' })).split('@');
      const res = await fetch(`${ingestion.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: Buffer.concat([Buffer.from(head), Buffer.from([0xc3, 0x28]), Buffer.from(tail)]),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toBe(
        'the request body is not valid UTF-8',
      );
    });

    it('refuses only the hostile events of a batch, each naming its path', async () => {
      const { slug, tenant, apiKey } = await newTenant(ingestion);
      const events = [
        order('b-0'),
        order('b-1'),
        order('b-2'),
        orderWith('b-3', { note: '\u0000' }),
        order('b-4'),
      ];
      const res = await post(ingestion.url, { events }, apiKey);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ accepted: 4, invalid: 1 });
      expect(res.body.results?.[3]).toMatchObject({
        status: 'invalid',
        errors: [{ path: 'events[3].data.note' }],
      });
      expect((await stored(tenant.id)).map((r) => r.external_id)).toEqual([
        'b-0',
        'b-1',
        'b-2',
        'b-4',
      ]);
      expect(await published(slug)).toBe(4);
    });

    it('keeps __proto__, constructor and prototype keys as data, stored and published, without polluting anything', async () => {
      const { slug, tenant, apiKey } = await newTenant(ingestion);
      const text = JSON.stringify(order('p-1')).replace(
        '"currency"',
        '"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"prototype":{"polluted":3},"currency"',
      );
      const res = await post(ingestion.url, undefined, apiKey, text);
      expect(res.status).toBe(202);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();

      const [row] = await stored(tenant.id);
      expect(Object.getOwnPropertyNames(row.data)).toEqual(
        expect.arrayContaining(['__proto__', 'constructor', 'prototype']),
      );
      expect(JSON.stringify(row.data)).toContain('"__proto__":{"polluted":1}');
      const [message] = await storedMessages<{ data: { payload: object } }>(
        ingestion.nc,
        'RECORDS',
        records(slug),
      );
      expect(Object.hasOwn(message.data.data.payload, '__proto__')).toBe(true);
      expect(JSON.stringify(message.data.data.payload)).toContain('"__proto__":{"polluted":1}');
    });

    it('answers 413 for an event too large to publish, and keeps the others of its batch', async () => {
      const { slug, tenant, apiKey } = await newTenant(ingestion);
      const big = orderWith('big', { attachment: 'x'.repeat(1_100_000) });
      const alone = await post(ingestion.url, big, apiKey);
      expect(alone.status).toBe(413);
      expect(alone.body.errors?.[0].message).toMatch(/too large to publish/);

      const res = await post(ingestion.url, { events: [order('s-0'), big, order('s-2')] }, apiKey);
      expect(res.status).toBe(202);
      expect(res.body.results?.map((r) => r.status)).toEqual(['accepted', 'invalid', 'accepted']);
      expect(res.body.results?.[1].errors?.[0].path).toBe('events[1]');
      expect((await stored(tenant.id)).map((r) => r.external_id)).toEqual(['s-0', 's-2']);
      expect(await published(slug)).toBe(2);
    });
  });

  describe('Segment calls over HTTP', () => {
    const track = (messageId: string, extra: Record<string, unknown> = {}) => ({
      type: 'track',
      userId: 'u-1',
      event: 'Viewed',
      messageId,
      properties: { page: '/' },
      ...extra,
    });
    const behaviour = (slug: string) =>
      storedMessages<{ data: { message_id: string; properties: object } }>(
        ingestion.nc,
        'RECORDS',
        filterOf('records.behavior', { tenant: slug }),
      );

    it('answers 400 naming the path of a NUL, a lone surrogate, too deep a nesting, a line break in the messageId', async () => {
      const { slug, apiKey } = await newTenant(ingestion);
      const cases: ['track' | 'identify' | 'batch', unknown, string][] = [
        ['track', track('h-1', { properties: { note: 'a\u0000b' } }), 'properties.note'],
        ['identify', { anonymousId: 'a', traits: { ['k\u0000']: 1 } }, 'traits["k\\u0000"]'],
        ['track', track('h-3', { event: 'x\ud800' }), 'event'],
        [
          'track',
          track('h-4', { properties: { deep: nested(31) } }),
          `properties.deep${'.a'.repeat(30)}`,
        ],
        ['track', track('h-5\r\nX-Evil: 1'), 'messageId'],
        ['batch', { batch: [track('h-6', { userId: 'x'.repeat(256) })] }, 'batch[0].userId'],
      ];
      for (const [route, body, path] of cases) {
        const res = await postSegment(ingestion.url, route, body, { apiKey });
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.body.errors?.map((e) => e.path)).toEqual([path]);
      }
      expect(await behaviour(slug)).toEqual([]);
    });

    it('keeps __proto__, constructor and prototype keys of properties as data, without polluting anything', async () => {
      const { slug, apiKey } = await newTenant(ingestion);
      const text = JSON.stringify(track('p-1')).replace(
        '"page"',
        '"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"page"',
      );
      const res = await postSegment(ingestion.url, 'track', text, { apiKey });
      expect(res.status).toBe(200);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const [message] = await behaviour(slug);
      expect(Object.hasOwn(message.data.data.properties, '__proto__')).toBe(true);
      expect(JSON.stringify(message.data.data.properties)).toBe(
        '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"page":"/"}',
      );
    });

    it('answers 413 for a call too large to publish, and publishes the others of its batch', async () => {
      const { slug, apiKey } = await newTenant(ingestion);
      const big = track('big', { properties: { blob: 'x'.repeat(1_100_000) } });
      const alone = await postSegment(ingestion.url, 'track', big, { apiKey });
      expect(alone.status).toBe(413);
      expect(alone.body.errors?.[0]).toMatchObject({
        path: '(root)',
        message: expect.stringMatching(/too large to publish/),
      });

      const batch = { batch: [track('s-0'), big, track('s-2')] };
      const res = await postSegment(ingestion.url, 'batch', batch, { apiKey });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accepted: 2, invalid: 1, errors: [{ path: 'batch[1]' }] });
      const published = await behaviour(slug);
      expect(published.map((m) => m.data.data.message_id)).toEqual(['s-0', 's-2']);
    });
  });

  describe('the database refusing a value', () => {
    it('refuses that event alone and keeps the rest of the batch', async () => {
      const { slug, tenant } = await newTenant(ingestion);
      // Below validation, as if a check had let it through: Postgres refuses NUL in text.
      const events = ['d-0', 'd-1', 'd-2\u0000', 'd-3', 'd-4', 'd-5'].map(
        (id) => order(id) as IncomingEvent,
      );
      const results = await ingestion.app.get(AcceptRecordsUseCase).execute(tenant, events, 'http');
      expect(results.map((r) => r.status)).toEqual([
        'accepted',
        'accepted',
        'refused',
        'accepted',
        'accepted',
        'accepted',
      ]);
      expect(results[2]).toMatchObject({ reason: expect.stringMatching(/SQLSTATE 22/) });
      expect(await stored(tenant.id)).toHaveLength(5);
      expect(await published(slug)).toBe(5);
    });
  });

  describe('over NATS', () => {
    const rejections = (slug: string) =>
      db.query(
        'SELECT subject, reason, errors, payload FROM rejections WHERE tenant = $1 ORDER BY received_at',
        [slug],
      );

    it('records a rejection for each hostile message and keeps the valid ones of the batch', async () => {
      const { slug, tenant } = await newTenant(ingestion);
      const js = jetstream(ingestion.nc);
      const subject = subjectOf('ingest', { tenant: slug, type: 'order' });
      const body = (id: string, extra: Record<string, unknown> = {}) => {
        const { type: _type, ...event } = orderWith(id, extra);
        return JSON.stringify(event);
      };
      // With its envelope, this one is more than the bus takes in one message.
      const maxPayload = ingestion.nc.info?.max_payload ?? 1024 * 1024;
      const oversize = body('n-big', { attachment: '' });
      const fill = 'x'.repeat(maxPayload - oversize.length - 200);
      const hostile = [
        body('n-nul', { note: 'a\u0000b' }),
        body('n-deep', { deep: nested(40) }),
        body('n-long', { notes: 'x'.repeat(10_001) }),
        new Uint8Array([0x7b, 0xff, 0xfe, 0x00, 0x7d]),
        body('n-big', { attachment: fill }),
      ];
      const valid = ['n-0', 'n-1', 'n-2'].map((id) => body(id));
      for (const payload of [valid[0], ...hostile, valid[1], valid[2]])
        await js.publish(subject, payload);

      const rows = await eventually(async () => {
        const found = await rejections(slug);
        return found.length === hostile.length && found;
      });
      // Rejections of one batch share their received_at: their order is not defined.
      const reasons = rows.map((r: { reason: string }) => r.reason);
      expect(reasons).toHaveLength(5);
      expect(reasons).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^invalid event: data\.note$/),
          expect.stringMatching(/^invalid event: data\.deep(\.a)+$/),
          'invalid event: data.notes',
          'the body is not UTF-8',
          expect.stringMatching(/too large to publish/),
        ]),
      );
      const notUtf8 = rows.find((r: { reason: string }) => r.reason === 'the body is not UTF-8');
      expect(notUtf8.payload).toBe('{\uFFFD\uFFFD\uFFFD}');
      await eventually(async () => (await stored(tenant.id)).length === 3);
      expect(await published(slug)).toBe(3);
      const rejected = subjectOf('ingest.rejected', { tenant: slug });
      expect(await countMessages(ingestion.nc, 'INGEST', rejected)).toBe(5);
    });

    it('never looks up a tenant token that cannot be a tenant', async () => {
      const token = `NOT_A_SLUG_${Date.now()}`;
      await jetstream(ingestion.nc).publish(
        subjectOf('ingest', { tenant: token, type: 'order' }),
        '{}',
      );
      const row = await eventually(async () => (await rejections(token))[0]);
      expect(row.reason).toBe(`unknown tenant "${token}"`);
    });
  });
});
