import { register } from 'prom-client';
import type { DataSource } from 'typeorm';

import { createDataSource, RetentionJob, type RetentionRule } from '../src';
import {
  dropSchemas,
  provisionSchemas,
  serviceConfig,
  uniqueName,
  withClient,
} from './test-database';

/** The rows' labels, in order. */
const labels = async (db: DataSource, table: string): Promise<string[]> =>
  (await db.query(`SELECT label FROM ${table} ORDER BY label`)).map(
    (row: { label: string }) => row.label,
  );

const removedFrom = async (table: string): Promise<number> => {
  const metric = await register.getSingleMetric('refinery_retention_deleted_rows_total')?.get();
  return metric?.values.find((v) => v.labels.table === table)?.value ?? 0;
};

const NOTES: RetentionRule = {
  table: 'notes',
  column: 'at',
  setting: 'NOTES_RETENTION_DAYS',
  days: 30,
  batchSize: 2,
  // A note still open is in progress: it stays however old it is.
  where: `t.status = 'closed'`,
};

describe('retention', () => {
  const schema = uniqueName('retention');
  let db: DataSource;

  beforeAll(async () => {
    await provisionSchemas(schema);
    db = await createDataSource({
      schema,
      entities: [],
      migrations: [],
      config: serviceConfig(schema),
    }).initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await dropSchemas(schema);
  });

  const job = (rules: readonly RetentionRule[], settings: Record<string, unknown>, pauseMs = 0) =>
    new RetentionJob(db, rules, settings, { pauseMs });

  describe('by batched deletes', () => {
    beforeAll(async () => {
      await db.query(
        `CREATE TABLE notes (id serial PRIMARY KEY, label text NOT NULL, status text NOT NULL,
                             at timestamptz)`,
      );
      await db.query(`CREATE TABLE replies (note_id int NOT NULL, label text NOT NULL)`);
    });
    beforeEach(async () => {
      await db.query('TRUNCATE notes, replies');
      const rows = [
        ...['old-1', 'old-2', 'old-3', 'old-4', 'old-5'].map((l) => [l, 'closed', 40]),
        ['young-1', 'closed', 29],
        ['young-2', 'closed', 1],
        ['open-old', 'open', 400],
        ['no-time', 'closed', null],
      ];
      await db.query(
        `INSERT INTO notes (label, status, at)
         SELECT r ->> 0, r ->> 1, now() - make_interval(days => (r ->> 2)::int)
           FROM json_array_elements($1::json) r`,
        [JSON.stringify(rows)],
      );
      await db.query(`INSERT INTO replies SELECT id, label || '/reply' FROM notes`);
    });

    it('removes the rows past retention, two a batch: five in three rounds, and keeps the rest', async () => {
      const before = await removedFrom(`${schema}.notes`);
      const [report] = await job([NOTES], { NOTES_RETENTION_DAYS: 30 }).run();
      expect(report).toMatchObject({ table: `${schema}.notes`, deleted: 5, batches: 3, days: 30 });
      expect(report.skipped).toBeUndefined();
      expect(await labels(db, 'notes')).toEqual(['no-time', 'open-old', 'young-1', 'young-2']);
      expect((await removedFrom(`${schema}.notes`)) - before).toBe(5);
      // Run again: nothing is left to remove.
      expect((await job([NOTES], { NOTES_RETENTION_DAYS: 30 }).run())[0]).toMatchObject({
        deleted: 0,
        batches: 1,
      });
    });

    it('removes the dependent rows of each row it deletes, in the same statement', async () => {
      const rule = { ...NOTES, cascade: [{ table: 'replies', on: { note_id: 'id' } }] };
      const [report] = await job([rule], { NOTES_RETENTION_DAYS: 30 }).run();
      expect(report).toMatchObject({ deleted: 5, cascaded: { [`${schema}.replies`]: 5 } });
      expect(await labels(db, 'replies')).toEqual(
        ['no-time', 'open-old', 'young-1', 'young-2'].map((l) => `${l}/reply`),
      );
    });

    it('reads the retention, and the settings its conditions use, from the settings', async () => {
      const rule = { ...NOTES, where: `t.status = $2`, uses: ['NOTES_STATUS'] };
      const [report] = await job([rule], { NOTES_RETENTION_DAYS: 10, NOTES_STATUS: 'open' }).run();
      expect(report.deleted).toBe(1);
      expect(await labels(db, 'notes')).not.toContain('open-old');
      expect((await job([NOTES], { NOTES_RETENTION_DAYS: 20 }).run())[0].deleted).toBe(6);
      expect(await labels(db, 'notes')).toEqual(['no-time', 'young-2']);
    });

    it('keeps every row at 0 days', async () => {
      const [report] = await job([NOTES], { NOTES_RETENTION_DAYS: 0 }).run();
      expect(report).toMatchObject({ skipped: 'kept', deleted: 0, batches: 0 });
      expect(await labels(db, 'notes')).toHaveLength(9);
    });

    it('refuses settings that are missing or not whole days, naming them', () => {
      expect(() => job([NOTES], {})).toThrow(
        'NOTES_RETENTION_DAYS: expected a whole number of days',
      );
      expect(() =>
        job([{ ...NOTES, uses: ['NOTES_STATUS'] }], { NOTES_RETENTION_DAYS: 1 }),
      ).toThrow('NOTES_STATUS: not set, and notes reads it');
    });

    it('skips a table another process is working on, and goes on with the next', async () => {
      await withClient(serviceConfig(schema), async (other) => {
        await other.query('SELECT pg_advisory_lock(hashtext($1))', [
          `refinery:retention:${schema}.notes`,
        ]);
        const rules = [NOTES, { ...NOTES, table: 'replies', column: 'note_id', where: undefined }];
        const reports = await job(rules, { NOTES_RETENTION_DAYS: 30 }).run();
        expect(reports.map((r) => [r.rule, r.skipped])).toEqual([
          ['notes', 'busy'],
          // note_id is no time: the statement fails, and the report says why.
          ['replies', undefined],
        ]);
        expect(reports[1].error).toMatch(
          /operator does not exist: integer < timestamp with time zone/,
        );
        expect(await labels(db, 'notes')).toHaveLength(9);
      });
      expect((await job([NOTES], { NOTES_RETENTION_DAYS: 30 }).run())[0].deleted).toBe(5);
    });

    it('lets one of two runs at once work on a table, and the other skip it', async () => {
      const first = job([NOTES], { NOTES_RETENTION_DAYS: 30 }, 1_000).run();
      // The first run deleted its first batch and pauses, holding the table.
      for (const started = Date.now(); Date.now() - started < 10_000;) {
        if ((await labels(db, 'notes')).length < 9) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const [second] = await job([NOTES], { NOTES_RETENTION_DAYS: 30 }).run();
      expect(second).toMatchObject({ skipped: 'busy', deleted: 0, batches: 0 });
      const [worked] = await first;
      expect(worked).toMatchObject({ deleted: 5, batches: 3 });
      expect(worked.skipped).toBeUndefined();
      expect(await labels(db, 'notes')).toHaveLength(4);
    });
  });

  describe('by dropping partitions', () => {
    const READINGS: RetentionRule = {
      table: 'readings',
      column: 'at',
      setting: 'READINGS_RETENTION_DAYS',
      days: 3,
      batchSize: 2,
      partitions: { every: 'day', ahead: 2 },
    };
    /** Midnight UTC `k` days from today, as SQL. */
    const day = (k: number) =>
      `(date_trunc('day', now() AT TIME ZONE 'UTC') + make_interval(days => ${k})) AT TIME ZONE 'UTC'`;
    const partitions = async () =>
      (
        await db.query(
          `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'readings'::regclass ORDER BY 1`,
        )
      ).map((row: { relname: string }) => row.relname);
    const suffix = async (k: number) =>
      (await db.query(`SELECT to_char(${day(k)} AT TIME ZONE 'UTC', 'YYYY_MM_DD') AS s`))[0].s;

    beforeAll(async () => {
      await db.query(
        `CREATE TABLE readings (at timestamptz NOT NULL, label text NOT NULL,
                                PRIMARY KEY (at, label)) PARTITION BY RANGE (at)`,
      );
      await db.query(`CREATE TABLE readings_default PARTITION OF readings DEFAULT`);
      for (const [name, k] of [
        ['readings_old', -10],
        ['readings_older', -5],
        ['readings_recent', -1],
      ] as const)
        await db.query(
          `CREATE TABLE ${name} PARTITION OF readings FOR VALUES FROM (${day(k)}) TO (${day(k + 1)})`,
        );
      // Three rows in each day's partition; days without one land in the default partition.
      for (const [label, at] of [
        ...[-10, -5, -1].flatMap((k) =>
          [1, 2, 3].map((h) => [`d${k}-${h}`, `${day(k)} + interval '${h} hours'`]),
        ),
        ...[1, 2, 3].map((h) => [`default-old-${h}`, `${day(-20)} + interval '${h} hours'`]),
        ['default-young', `${day(-2)} + interval '1 hour'`],
      ])
        await db.query(`INSERT INTO readings VALUES (${at}, $1)`, [label]);
    });

    it('drops the partitions whose whole range is past retention, deletes old rows of the default one, and makes the next ones', async () => {
      const ahead = await Promise.all([0, 1, 2].map(async (k) => `readings_${await suffix(k)}`));
      const before = await removedFrom(`${schema}.readings`);
      const [report] = await job([READINGS], { READINGS_RETENTION_DAYS: 3 }).run();
      expect(report.droppedPartitions.sort()).toEqual(['readings_old', 'readings_older']);
      expect(report.createdPartitions.sort()).toEqual(ahead);
      // Six rows in the two partitions, and three of the default one in two batches.
      expect(report).toMatchObject({ deleted: 9, batches: 2 });
      expect((await removedFrom(`${schema}.readings`)) - before).toBe(9);
      expect(await partitions()).toEqual([...ahead, 'readings_default', 'readings_recent'].sort());
      expect(await labels(db, 'readings')).toEqual(['d-1-1', 'd-1-2', 'd-1-3', 'default-young']);

      // Again: nothing more goes, and no partition is made twice.
      const [again] = await job([READINGS], { READINGS_RETENTION_DAYS: 3 }).run();
      expect(again).toMatchObject({ deleted: 0, droppedPartitions: [], createdPartitions: [] });
      // A row written for tomorrow lands in its partition, not the default one.
      await db.query(`INSERT INTO readings VALUES (${day(1)} + interval '1 hour', 'tomorrow')`);
      const [{ where }] = await db.query(
        `SELECT tableoid::regclass::text AS where FROM readings WHERE label = 'tomorrow'`,
      );
      expect(where).toBe(ahead[1]);
    });
  });
});
