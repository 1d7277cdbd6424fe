import { randomUUID } from 'node:crypto';
import { RetentionJob, runMigrations } from '@refinery/persistence';
import { createScratchSchema, type ScratchSchema } from '@refinery/testing';
import type { DataSource } from 'typeorm';
import { QualityConfigSchema, QUALITY_RETENTION } from '../src/config';
import { migrations } from '../src/data-source';

/** `now() - n days`, for a row's times. */
const ago = (days: number | null) =>
  days === null ? null : new Date(Date.now() - days * 86_400_000).toISOString();

/**
 * The monitor's schema of its own, migrated as the monitor's is: retention removes whatever is
 * old enough, so it must not run where other tests keep their rows.
 */
describe("retention of the monitor's projection, escalations, runs, violations and alerts", () => {
  let scratch: ScratchSchema;
  let schema: string;
  let db: DataSource;
  const labelOf = new Map<string, string>();
  const id = (label: string) => {
    const uuid = randomUUID();
    labelOf.set(uuid, label);
    return uuid;
  };
  const left = async (sql: string) =>
    (await db.query(sql)).map((row: { id: string }) => labelOf.get(row.id) ?? row.id).sort();

  beforeAll(async () => {
    scratch = await createScratchSchema('quality_retention', migrations);
    ({ schema, dataSource: db } = scratch);
    await runMigrations(db);

    // label, received, completed, escalated (days ago); a stage row each.
    const records: [string, number, number | null, number | null][] = [
      ['done-old', 40, 40, null],
      ['done-young', 40, 10, null],
      ['failed-old', 40, null, null],
      ['escalated-unresolved', 200, null, 200],
      ['escalated-resolved-recently', 200, 60, 100],
      ['escalated-resolved-long-ago', 200, 120, 150],
    ];
    for (const [label, received, completed, escalated] of records) {
      const record = id(label);
      await db.query(
        `INSERT INTO record_states (record_id, tenant, record_type, received_at, completed_at)
         VALUES ($1, 'retention', 'exception', $2, $3)`,
        [record, ago(received), ago(completed)],
      );
      await db.query(
        `INSERT INTO stage_states (record_id, stage, tenant, status, final, event_at)
         VALUES ($1, 'resolution', 'retention', $2, true, $3)`,
        [record, completed === null ? 'FAILED' : 'COMPLETED', ago(completed ?? received)],
      );
      if (escalated !== null)
        await db.query(
          `INSERT INTO escalations (record_id, stage, tenant, reason, escalated_at)
           VALUES ($1, 'resolution', 'retention', 'failed', $2)`,
          [record, ago(escalated)],
        );
    }

    // Runs: rule B's latest result is in run-old-1, rule A's in run-young.
    const [ruleA, ruleB] = [randomUUID(), randomUUID()];
    for (const [label, days, rules] of [
      ['run-old-1', 40, [ruleA, ruleB]],
      ['run-old-2', 35, [ruleA]],
      ['run-young', 1, [ruleA]],
    ] as const) {
      const run = id(label);
      await db.query(
        `INSERT INTO rule_runs (id, trigger, started_at, finished_at, success, statistics)
         VALUES ($1, 'schedule', $2, $2, true, '{}')`,
        [run, ago(days)],
      );
      for (const [position, rule] of rules.entries())
        await db.query(
          `INSERT INTO rule_results (run_id, position, rule_id, success, body, evaluated_at)
           VALUES ($1, $2, $3, true, '{}', $4)`,
          [run, position, rule, ago(days)],
        );
    }

    for (const [label, days] of [
      ['violation-old', 40],
      ['violation-young', 20],
    ] as const)
      await db.query(
        `INSERT INTO stream_violations (rule_id, rule_name, severity, dimension, tenant, record_id,
                                        record_type, field, failing_values, occurred_at, detected_at)
         VALUES ($1, 'r', 'error', 'validity', 'retention', $2, 'order', 'f', '[]', $3, $3)`,
        [randomUUID(), id(label), ago(days)],
      );

    for (const [alert, firing, days] of [
      ['resolved-old', false, 40],
      ['firing-old', true, 40],
      ['resolved-young', false, 5],
    ] as const)
      await db.query(
        `INSERT INTO alert_states (tenant, alert, severity, firing, value, threshold, since, changed_at)
         VALUES ('retention', $1, 'warning', $2, 1, 1, $3, $3)`,
        [alert, firing, ago(days)],
      );
  });

  afterAll(() => scratch?.drop());

  it('removes only what is past its retention and settled, under the default settings', async () => {
    const config = QualityConfigSchema.parse({});
    const reports = await new RetentionJob(db, QUALITY_RETENTION, config, { pauseMs: 0 }).run();
    expect(reports.map((r) => [r.rule, r.days, r.deleted, r.cascaded, r.error])).toEqual([
      ['escalations', 90, 1, {}, undefined],
      ['record_states', 30, 2, { [`${schema}.stage_states`]: 2 }, undefined],
      ['rule_runs', 30, 1, { [`${schema}.rule_results`]: 1 }, undefined],
      ['stream_violations', 30, 1, {}, undefined],
      ['alert_states', 30, 1, {}, undefined],
    ]);

    // An escalation stays until its record completed 90 days ago; an unresolved one stays.
    expect(await left('SELECT record_id AS id FROM escalations')).toEqual([
      'escalated-resolved-recently',
      'escalated-unresolved',
    ]);
    // A record goes 30 days after it completed, once no escalation of it is kept, with its stages.
    const kept = [
      'done-young',
      'escalated-resolved-recently',
      'escalated-unresolved',
      'failed-old',
    ];
    expect(await left('SELECT record_id AS id FROM record_states')).toEqual(kept);
    expect(await left('SELECT record_id AS id FROM stage_states')).toEqual(kept);
    // run-old-1 holds rule B's latest result, which the gauges show.
    expect(await left('SELECT id FROM rule_runs')).toEqual(['run-old-1', 'run-young']);
    expect(await left('SELECT DISTINCT run_id AS id FROM rule_results')).toEqual([
      'run-old-1',
      'run-young',
    ]);
    expect(await left('SELECT record_id AS id FROM stream_violations')).toEqual([
      'violation-young',
    ]);
    expect(await left('SELECT alert AS id FROM alert_states')).toEqual([
      'firing-old',
      'resolved-young',
    ]);
  });
});
