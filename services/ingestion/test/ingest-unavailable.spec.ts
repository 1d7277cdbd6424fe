import type { NatsConnection } from '@nats-io/transport-node';
import { NATS_CONNECTION } from '@refinery/messaging';
import { DataSource } from 'typeorm';
import { Ingestion, newTenant, order, post, postSegment, startIngestion } from './ingestion-app';

describe('POST /v1/events while the bus is down', () => {
  let ingestion: Ingestion;
  beforeAll(async () => {
    ingestion = await startIngestion();
  });
  afterAll(() => ingestion.close());

  it('answers 503 with Retry-After and keeps nothing, so the same request can be retried', async () => {
    const { tenant, apiKey } = await newTenant(ingestion);
    await ingestion.app.get<NatsConnection>(NATS_CONNECTION).close();

    const res = await post(ingestion.url, { events: [order('u-1'), order('u-2')] }, apiKey);

    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body.detail).toMatch(/none was kept, retry/);
    const [{ n }] = await ingestion.app
      .get(DataSource)
      .query('SELECT count(*)::int AS n FROM records WHERE tenant_id = $1', [tenant.id]);
    expect(n).toBe(0);
  });

  it('answers a Segment call 503 with Retry-After, never 200: the call is not acknowledged unpublished', async () => {
    const { apiKey } = await newTenant(ingestion);
    await ingestion.app.get<NatsConnection>(NATS_CONNECTION).close();

    const call = { userId: 'u-1', event: 'Viewed', messageId: 'u-3' };
    const res = await postSegment(ingestion.url, 'track', call, { apiKey });

    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body.detail).toMatch(/retry the request/);
  });
});
