import { RetentionJob, runMigrations } from '@refinery/persistence';
import { createScratchSchema, type ScratchSchema } from '@refinery/testing';
import type { DataSource } from 'typeorm';
import { DATASETS_RETENTION, DatasetsConfigSchema } from '../src/config';
import { migrations } from '../src/data-source';

/**
 * Candidate decisions in a datasets schema of its own: retention removes every tenant's old
 * rows, so it must not run where other tests keep theirs.
 */
describe('retention of candidate decisions', () => {
  let scratch: ScratchSchema;
  let db: DataSource;

  beforeAll(async () => {
    scratch = await createScratchSchema('datasets_retention', migrations);
    db = scratch.dataSource;
    await runMigrations(db);
    // record, completed, positive feedback, promoted (days ago)
    const rows: [string, number | null, number | null, number | null][] = [
      ['unconfirmed-old', 200, null, null],
      ['unconfirmed-young', 20, null, null],
      ['promoted-old', 200, 190, 190],
      ['confirmed-waiting-old', 200, 190, null],
      ['feedback-only-old', null, 200, null],
      ['feedback-only-young', null, 20, null],
    ];
    await db.query(
      `INSERT INTO decisions (tenant, record_id, record_type, input_data, outputs, completed_at,
                              positive_feedback_at, promoted_at)
       SELECT 'retention', r ->> 0, 'exception',
              CASE WHEN r ->> 1 IS NOT NULL THEN '{}'::jsonb END,
              CASE WHEN r ->> 1 IS NOT NULL THEN '[]'::jsonb END,
              now() - make_interval(days => (r ->> 1)::int),
              now() - make_interval(days => (r ->> 2)::int),
              now() - make_interval(days => (r ->> 3)::int)
         FROM json_array_elements($1::json) r`,
      [JSON.stringify(rows)],
    );
    // History is never removed, however old.
    await db.query(
      `INSERT INTO datasets (tenant, name, created_by, created_at)
       VALUES ('retention', 'golden', 'test', now() - interval '5 years')`,
    );
  });

  afterAll(() => scratch?.drop());

  it('removes decisions past 180 days unless they wait to be promoted, and nothing of the history', async () => {
    const config = DatasetsConfigSchema.parse({});
    const reports = await new RetentionJob(db, DATASETS_RETENTION, config, { pauseMs: 0 }).run();
    expect(reports.map((r) => [r.rule, r.days, r.deleted, r.error])).toEqual([
      ['decisions', 180, 2, undefined],
      ['decisions without a result', 180, 1, undefined],
    ]);
    const left = await db.query(`SELECT record_id FROM decisions ORDER BY record_id`);
    expect(left.map((row: { record_id: string }) => row.record_id)).toEqual([
      'confirmed-waiting-old',
      'feedback-only-young',
      'unconfirmed-young',
    ]);
    expect(
      (await db.query(`SELECT name FROM datasets`)).map((d: { name: string }) => d.name),
    ).toEqual(['golden']);
  });
});
