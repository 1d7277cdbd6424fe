import { randomUUID } from 'node:crypto';
import { RetentionJob, runMigrations } from '@refinery/persistence';
import { createScratchSchema, type ScratchSchema } from '@refinery/testing';
import type { DataSource } from 'typeorm';
import { stageConfigSchema, STAGE_RETENTION } from '../src/config';
import { stageMigrations } from '../src/stage.module';

/**
 * A stage's schema of its own, migrated as every stage's is: retention removes whatever is old
 * enough, so it must not run where other tests keep their rows.
 */
describe("retention of a stage's records and published batches", () => {
  let scratch: ScratchSchema;
  let schema: string;
  let db: DataSource;
  /** Each row's label, by record id or batch id. */
  const labelOf = new Map<string, string>();
  const id = (label: string) => {
    const uuid = randomUUID();
    labelOf.set(uuid, label);
    return uuid;
  };
  const batches = {
    old: id('batch-old'),
    oldUnpublished: id('batch-old-unpublished'),
    oldOfPending: id('batch-old-of-pending'),
    oldAlone: id('batch-old-alone'),
    young: id('batch-young'),
  };

  beforeAll(async () => {
    scratch = await createScratchSchema('stage_retention', stageMigrations);
    ({ schema, dataSource: db } = scratch);
    await runMigrations(db);

    const rows: [string, string, number, boolean, string | null][] = [
      // label, status, days since the first attempt (and the finish), escalated, batch
      ['completed', 'COMPLETED', 20, false, null],
      ['completed-in-published-batch', 'COMPLETED', 20, false, batches.old],
      ['completed-unpublished', 'COMPLETED', 20, false, batches.oldUnpublished],
      ['skipped', 'SKIPPED', 20, false, null],
      ['failed', 'FAILED', 20, false, null],
      ['failed-escalated', 'FAILED', 20, true, null],
      ['pending-retry', 'PENDING', 20, false, batches.oldOfPending],
      ['in-progress', 'IN_PROGRESS', 20, false, null],
      ['completed-young', 'COMPLETED', 2, false, null],
    ];
    await db.query(
      `INSERT INTO stage_records (record_id, tenant, status, first_attempt_at, last_attempt_at,
                                  finished_at, escalated_at, batch_id)
       SELECT (r ->> 0)::uuid, 'retention', r ->> 1, t.at, t.at,
              CASE WHEN r ->> 1 IN ('COMPLETED', 'SKIPPED', 'FAILED') THEN t.at + interval '1 minute' END,
              CASE WHEN (r ->> 3)::boolean THEN t.at + interval '1 day' END, (r ->> 4)::uuid
         FROM json_array_elements($1::json) r,
              LATERAL (SELECT now() - make_interval(days => (r ->> 2)::int) AS at) t`,
      [JSON.stringify(rows.map(([label, ...rest]) => [id(label), ...rest]))],
    );
    await db.query(
      `INSERT INTO published_batches (batch_id, published_at)
       SELECT (b ->> 0)::uuid, now() - make_interval(days => (b ->> 1)::int)
         FROM json_array_elements($1::json) b`,
      [
        JSON.stringify([
          [batches.old, 20],
          [batches.oldOfPending, 20],
          [batches.oldAlone, 20],
          [batches.young, 1],
        ]),
      ],
    );
  });

  afterAll(() => scratch?.drop());

  const left = async (sql: string) =>
    (await db.query(sql)).map((row: { id: string }) => labelOf.get(row.id)).sort();

  it('keeps what is in progress, unpublished or FAILED without a person, and removes the rest past 14 days', async () => {
    // The stage's own defaults, as a stage service reads them.
    const config = stageConfigSchema(3999).parse({});
    expect(config.ENRICHMENT_STAGE_RECORDS_RETENTION_DAYS).toBe(14);
    expect(config.ENRICHMENT_PUBLISHED_BATCHES_RETENTION_DAYS).toBe(14);
    expect(config.RETENTION_INTERVAL).toBe(3_600_000);

    const reports = await new RetentionJob(db, STAGE_RETENTION, config, { pauseMs: 0 }).run();
    expect(reports.map((r) => [r.table, r.deleted, r.error])).toEqual([
      [`${schema}.stage_records`, 4, undefined],
      [`${schema}.published_batches`, 2, undefined],
    ]);
    expect(await left('SELECT record_id AS id FROM stage_records')).toEqual([
      'completed-unpublished',
      'completed-young',
      'failed',
      'in-progress',
      'pending-retry',
    ]);
    // A batch a kept row names stays: without it the row would count as unpublished.
    expect(await left('SELECT batch_id AS id FROM published_batches')).toEqual([
      'batch-old-of-pending',
      'batch-young',
    ]);
  });
});
