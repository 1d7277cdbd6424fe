import { startServiceProcesses, TestTenants, type ServiceProcess } from '@refinery/testing';
import { OPERATOR_KEY, startMonitor, type Monitor } from './support/monitor-process';

/** Several instances of two services, each its own process as deployed, sharing the keys. */
describe('API keys across instances', () => {
  let ingestion: ServiceProcess[];
  let monitor: Monitor;
  let tenants: TestTenants;

  beforeAll(async () => {
    const env = { REFINERY_ADMIN_API_KEY: OPERATOR_KEY };
    ingestion = await startServiceProcesses(['ingestion', 'ingestion'], env);
    monitor = await startMonitor(env);
    tenants = await TestTenants.open();
  }, 60_000);

  afterAll(async () => {
    await tenants?.close();
    await monitor?.close();
    for (const instance of ingestion ?? []) await instance.stop();
  });

  const report = (key: string, tenant: string, url = monitor.url) =>
    fetch(`${url}/api/enrichment/report/${tenant}`, { headers: { 'x-api-key': key } });

  it('stops a revoked key on every instance within 2 s', async () => {
    const { slug, apiKey, keyId } = await tenants.create({ prefix: 'revoke' });
    const urls = [...ingestion.map((i) => `${i.url}/v1/events`), monitor.url];
    // Every instance has the key in its cache before it is revoked.
    for (const instance of ingestion) {
      const res = await fetch(`${instance.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: '{}',
      });
      expect(res.status).toBe(400);
    }
    expect((await report(apiKey, slug)).status).toBe(200);

    const revokedAt = Date.now();
    const revoke = await fetch(`${ingestion[0].url}/v1/admin/keys/${keyId}/revoke`, {
      method: 'POST',
      headers: { 'x-api-key': OPERATOR_KEY },
    });
    expect(revoke.status).toBe(200);
    const refusedAfter: number[] = [];
    for (const url of urls) {
      for (;;) {
        const res =
          url === monitor.url
            ? await report(apiKey, slug)
            : await fetch(url, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
                body: '{}',
              });
        if (res.status === 401) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      refusedAfter.push(Date.now() - revokedAt);
    }
    expect(Math.max(...refusedAfter)).toBeLessThan(2000);
  });

  it('answers 429 with Retry-After to an address that keeps failing, whatever key it then sends', async () => {
    const strict = await startMonitor({ AUTH_FAILURE_LIMIT: '5' });
    const { slug, apiKey } = await tenants.create({ prefix: 'throttle' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await report(`wrong-key-${i}`, slug, strict.url)).status);
    const blocked = await report(apiKey, slug, strict.url);
    await strict.close();
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // Each instance counts its own failures: ingestion still hears this address.
    const ingest = await fetch(`${ingestion[0].url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: '{}',
    });
    expect(ingest.status).toBe(400);
  });
});
