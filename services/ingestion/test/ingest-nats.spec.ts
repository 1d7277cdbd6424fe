import { jetstream } from '@nats-io/jetstream';
import { filterOf, subjectOf } from '@refinery/contracts';
import { countMessages, eventually, lastMessage } from '@refinery/testing';
import { DataSource } from 'typeorm';
import { Ingestion, newTenant, order, startIngestion, transcript } from './ingestion-app';

describe('ingest.<tenant>.<type> (the NATS way in)', () => {
  let ingestion: Ingestion;
  beforeAll(async () => {
    ingestion = await startIngestion();
  });
  afterAll(() => ingestion.close());

  /** Sends `body` to `ingest.<tenant>.<type>`, as an upstream system does. */
  const send = async (tenant: string, type: string, body: string) =>
    jetstream(ingestion.nc).publish(subjectOf('ingest', { tenant, type }), body);
  const received = (tenant: string) => subjectOf('records.received', { tenant, type: 'order' });
  const rejections = (tenant: string) =>
    ingestion.app
      .get(DataSource)
      .query(
        'SELECT subject, reason, errors, payload FROM rejections WHERE tenant = $1 ORDER BY received_at',
        [tenant],
      );

  it('stores and publishes a valid message like the HTTP way in', async () => {
    const { slug } = await newTenant(ingestion);
    const { type: _type, ...body } = order('n-1');
    await send(slug, 'order', JSON.stringify(body));
    await eventually(() => countMessages(ingestion.nc, 'RECORDS', received(slug)));
    const msg = await lastMessage<{ data: { external_id: string } }>(
      ingestion.nc,
      'RECORDS',
      received(slug),
    );
    expect(msg?.data.data.external_id).toBe('n-1');
  });

  it('stores and announces a transcript sent to ingest.<tenant>.transcript, and rejects a bad one naming the field', async () => {
    const { slug } = await newTenant(ingestion);
    const { type: _type, ...body } = transcript('nt-1');
    await send(slug, 'transcript', JSON.stringify(body));
    const announced = subjectOf('records.received', { tenant: slug, type: 'transcript' });
    await eventually(() => countMessages(ingestion.nc, 'RECORDS', announced));
    const msg = await lastMessage<{ data: { external_id: string; record_type: string } }>(
      ingestion.nc,
      'RECORDS',
      announced,
    );
    expect(msg?.data.data).toMatchObject({ external_id: 'nt-1', record_type: 'transcript' });

    const { type: _t, ...late } = transcript('nt-2', { ended_at: '2026-11-22T08:00:00Z' });
    await send(slug, 'transcript', JSON.stringify(late));
    const row = await eventually(async () => (await rejections(slug))[0]);
    expect(row.reason).toBe('invalid event: data.ended_at');
    expect(row.errors).toEqual([
      { path: 'data.ended_at', message: 'must not be before started_at' },
    ]);
    expect(await countMessages(ingestion.nc, 'RECORDS', announced)).toBe(1);
  });

  it('keeps an invalid message in rejections and announces it on ingest.rejected.<tenant>', async () => {
    const { slug } = await newTenant(ingestion);
    const bad = JSON.stringify({ ...order('n-2'), external_id: '' });
    await send(slug, 'order', bad);
    const row = await eventually(async () => (await rejections(slug))[0]);
    expect(row).toMatchObject({
      subject: subjectOf('ingest', { tenant: slug, type: 'order' }),
      payload: bad,
    });
    expect(row.errors.map((e: { path: string }) => e.path)).toEqual(['external_id']);
    const announced = await eventually(() =>
      lastMessage<{ data: { reason: string } }>(
        ingestion.nc,
        'INGEST',
        subjectOf('ingest.rejected', { tenant: slug }),
      ),
    );
    expect(announced?.data.data.reason).toMatch(/external_id/);
    const records = filterOf('records.received', { tenant: slug });
    expect(await countMessages(ingestion.nc, 'RECORDS', records)).toBe(0);
  });

  it('rejects, rather than drops, a body that is not JSON, an unknown type and an unknown tenant', async () => {
    const { slug } = await newTenant(ingestion);
    await send(slug, 'order', '{not json');
    await send(slug, 'invoice', JSON.stringify(order('n-3')));
    const reasons = await eventually(async () => {
      const rows = await rejections(slug);
      return rows.length === 2 && rows.map((r: { reason: string }) => r.reason);
    });
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/not valid JSON/),
        expect.stringMatching(/type/),
      ]),
    );

    const ghost = `ghost-${slug}`;
    await send(ghost, 'order', JSON.stringify(order('n-4')));
    const row = await eventually(async () => (await rejections(ghost))[0]);
    expect(row.reason).toBe(`unknown tenant "${ghost}"`);
  });
});
