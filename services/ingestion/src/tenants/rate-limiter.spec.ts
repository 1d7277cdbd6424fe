import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import { uniqueName } from '@refinery/testing';
import type { DataSource } from 'typeorm';
import { RateLimiter } from './rate-limiter';

/** Against the test database's ingestion schema, as every ingestion process shares it. */
describe('RateLimiter', () => {
  const dbs: DataSource[] = [];
  const open = async () => {
    const env = { ...process.env, DATABASE_NAME: process.env.DATABASE_NAME ?? 'refinery_test' };
    const config = databaseConfigFromEnv('ingestion', { ...env, DATABASE_USER: undefined });
    const db = await createDataSource({
      schema: 'ingestion',
      entities: [],
      migrations: [],
      config,
    }).initialize();
    dbs.push(db);
    return db;
  };
  const limiter = async (ratePerS: number) =>
    new RateLimiter(await open(), { INGEST_RATE_LIMIT_PER_S: ratePerS });
  afterAll(() => Promise.all(dbs.map((db) => db.destroy())));

  it('admits a burst up to twice the rate, then says when to come back', async () => {
    const key = uniqueName('rate');
    const limit = await limiter(1000);
    expect(await limit.take(key, 1000)).toEqual({ ok: true });
    expect(await limit.take(key, 1000)).toEqual({ ok: true });
    const refused = await limit.take(key, 500);
    expect(refused.ok).toBe(false);
    // About half a second to refill 500 at 1,000/s, less what refilled since.
    expect(refused.ok || refused.retryAfterS).toBeGreaterThan(0.3);
    expect(refused.ok || refused.retryAfterS).toBeLessThanOrEqual(0.5);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await limit.take(key, 500)).toEqual({ ok: true });
  });

  it('keeps tenants apart and honours a per-tenant rate', async () => {
    const limit = await limiter(1000);
    const [slow, other] = [uniqueName('slow'), uniqueName('other')];
    expect(await limit.take(slow, 1000, 10)).toEqual({ ok: true });
    expect((await limit.take(slow, 25, 10)).ok).toBe(false);
    expect((await limit.take(other, 25)).ok).toBe(true);
  });

  it('always admits one full batch even when the rate is lower', async () => {
    const limit = await limiter(10);
    expect((await limit.take(uniqueName('rate'), 1000)).ok).toBe(true);
  });

  it('is one bucket for every process: two limiters together admit the rate once', async () => {
    const key = uniqueName('shared');
    const [a, b] = [await limiter(500), await limiter(500)];
    // The bucket holds one batch of 1,000: each limiter alone would admit its own.
    const taken = await Promise.all([a.take(key, 1000), b.take(key, 1000)]);
    expect(taken.filter((t) => t.ok)).toHaveLength(1);
  });
});
