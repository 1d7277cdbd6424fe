import { RetentionJob, runMigrations } from '@refinery/persistence';
import { createScratchSchema, type ScratchSchema } from '@refinery/testing';
import type { DataSource } from 'typeorm';
import { ANALYTICS_RETENTION, AnalyticsConfigSchema } from '../../src/config';
import { migrations } from '../../src/data-source';

/** `events_YYYY_MM` of the month (UTC) of `days` days from now, or `months` months from this one. */
const monthPartition = (months: number, days = 0) => {
  const now = new Date(Date.now() + days * 86_400_000);
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 1));
  return `events_${at.getUTCFullYear()}_${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
};

/**
 * Data retention (not the cohort kind) in an analytics schema of its own: it removes every
 * tenant's old rows, so it must not run where other tests keep theirs.
 */
describe('retention of raw events and active days', () => {
  let scratch: ScratchSchema;
  let db: DataSource;
  const partitions = async (): Promise<string[]> =>
    (
      await db.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'events'::regclass ORDER BY 1`,
      )
    ).map((row: { relname: string }) => row.relname);

  beforeAll(async () => {
    scratch = await createScratchSchema('analytics_retention', migrations);
    db = scratch.dataSource;
    await runMigrations(db);
    // Events as the consumer stores them: the month's partition made first. Those of 600 and
    // 200 days ago find none, and land in the default partition.
    for (const [id, days, partitioned] of [
      ['e-500', 500, true],
      ['e-380', 380, true],
      ['e-0', 0, true],
      ['e-600', 600, false],
      ['e-200', 200, false],
    ] as const) {
      const at = new Date(Date.now() - days * 86_400_000).toISOString();
      if (partitioned) await db.query('SELECT ensure_event_partition($1)', [at]);
      await db.query(
        `INSERT INTO events (tenant, message_id, kind, event, occurred_at)
         VALUES ('retention', $1, 'track', 'Viewed', $2)`,
        [id, at],
      );
    }
    // u1 came 500 days ago, again 450 days ago and 10 days ago; u2 came once, 450 days ago.
    await db.query(
      `INSERT INTO user_days (tenant, user_id, day)
       SELECT 'retention', u, (now() - make_interval(days => d))::date
         FROM (VALUES ('u1', 500), ('u1', 450), ('u1', 10), ('u2', 450)) v(u, d)`,
    );
  });

  afterAll(() => scratch?.drop());

  it('drops the months that ended 400 days ago, makes the next two, and keeps each user’s first day', async () => {
    const config = AnalyticsConfigSchema.parse({});
    const old = monthPartition(0, -500);
    expect(await partitions()).toContain(old);

    const reports = await new RetentionJob(db, ANALYTICS_RETENTION, config, { pauseMs: 0 }).run();
    expect(reports.map((r) => [r.rule, r.days, r.deleted, r.droppedPartitions, r.error])).toEqual([
      // The partition of 500 days ago, and the default partition's row of 600.
      ['events', 400, 2, [old], undefined],
      ['user_days', 400, 1, [], undefined],
    ]);
    expect(reports[0].createdPartitions.sort()).toEqual([monthPartition(1), monthPartition(2)]);
    expect(await partitions()).toEqual(
      expect.arrayContaining([monthPartition(0), monthPartition(1), monthPartition(2)]),
    );
    expect(await partitions()).not.toContain(old);

    const ids = await db.query(`SELECT message_id FROM events ORDER BY message_id`);
    expect(ids.map((row: { message_id: string }) => row.message_id)).toEqual([
      'e-0',
      'e-200',
      'e-380',
    ]);
    const days = await db.query(
      `SELECT user_id, (now()::date - day) AS ago FROM user_days ORDER BY user_id, day`,
    );
    expect(days.map((d: { user_id: string; ago: number }) => `${d.user_id} ${d.ago}`)).toEqual([
      'u1 500',
      'u1 10',
      'u2 450',
    ]);
    // The cohorts still count u1 in the month it first came.
    await db.query('REFRESH MATERIALIZED VIEW mv_cohort_retention');
    const [{ size }] = await db.query(
      `SELECT sum(cohort_size)::int AS size FROM mv_cohort_retention`,
    );
    expect(size).toBe(2);
  });
});
