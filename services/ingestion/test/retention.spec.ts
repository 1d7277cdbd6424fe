import { randomUUID } from 'node:crypto';
import { subjectOf } from '@refinery/contracts';
import { RetentionJob, runMigrations } from '@refinery/persistence';
import { createScratchSchema, type ScratchSchema } from '@refinery/testing';
import type { DataSource } from 'typeorm';
import { INGESTION_RETENTION, IngestionConfigSchema } from '../src/config';
import { CreateIngestionTables1763800000000 } from '../src/migrations/1763800000000-create-ingestion-tables';
import { RetentionIndexes1769100000000 } from '../src/migrations/1769100000000-retention-indexes';

/**
 * Records and rejections in a schema of their own (the tables as ingestion made them, before
 * tenants moved to the shared auth schema): retention removes whatever is old enough, so it
 * must not run where other tests keep their rows.
 */
describe('retention of received records and rejections', () => {
  let scratch: ScratchSchema;
  let db: DataSource;

  beforeAll(async () => {
    scratch = await createScratchSchema('ingestion_retention', [
      CreateIngestionTables1763800000000,
      RetentionIndexes1769100000000,
    ]);
    db = scratch.dataSource;
    await runMigrations(db);
    // 2,500 records a month old and 10 of yesterday; 30 rejections of 15 days ago, 5 of 13.
    await db.query(
      `INSERT INTO records (id, tenant_id, type, source, external_id, occurred_at, received_at, via, data)
       SELECT gen_random_uuid(), $1, 'order', 's', 'x' || i, now(),
              now() - make_interval(days => CASE WHEN i <= 2500 THEN 31 ELSE 1 END), 'http', '{}'
         FROM generate_series(1, 2510) i`,
      [randomUUID()],
    );
    await db.query(
      `INSERT INTO rejections (id, tenant, subject, reason, errors, payload, received_at)
       SELECT gen_random_uuid(), 'retention', $1, 'invalid', '[]', '{}',
              now() - make_interval(days => CASE WHEN i <= 30 THEN 15 ELSE 13 END)
         FROM generate_series(1, 35) i`,
      [subjectOf('ingest', { tenant: 'retention', type: 'order' })],
    );
  });

  afterAll(() => scratch?.drop());

  it('removes records after 30 days and rejections after 14, a thousand rows a statement', async () => {
    const config = IngestionConfigSchema.parse({});
    const reports = await new RetentionJob(db, INGESTION_RETENTION, config, { pauseMs: 0 }).run();
    expect(reports.map((r) => [r.rule, r.days, r.deleted, r.batches, r.error])).toEqual([
      ['records', 30, 2500, 3, undefined],
      ['rejections', 14, 30, 1, undefined],
    ]);
    const [counts] = await db.query(
      `SELECT (SELECT count(*) FROM records)::int AS records,
              (SELECT count(*) FROM records WHERE received_at > now() - interval '2 days')::int AS young,
              (SELECT count(*) FROM rejections)::int AS rejections`,
    );
    expect(counts).toEqual({ records: 10, young: 10, rejections: 5 });
  });

  it('refuses a retention that is not whole days, naming the setting', () => {
    const result = IngestionConfigSchema.safeParse({ INGESTION_RECORDS_RETENTION_DAYS: '30d' });
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'INGESTION_RECORDS_RETENTION_DAYS: must be a whole number of days from 0 (keep every row) to 36500',
    ]);
    expect(IngestionConfigSchema.safeParse({ RETENTION_INTERVAL: '30d' }).error?.issues).toEqual([
      expect.objectContaining({ path: ['RETENTION_INTERVAL'], message: 'must be at most 7d' }),
    ]);
  });
});
