import { catalogMismatches } from '@refinery/observability';
import { register } from 'prom-client';
import { z } from 'zod';

import { retentionDeletedRows } from './retention-metrics';
import { assertRules, retentionSettings, type RetentionRule } from './retention-rule';
import { deleteBatchSql } from './retention-sql';

const RULES = [
  { table: 'records', column: 'received_at', setting: 'RECORDS_RETENTION_DAYS', days: 30 },
  { table: 'notes', column: 'at', setting: 'NOTES_RETENTION_DAYS', days: 14 },
] as const satisfies readonly RetentionRule[];

describe('retention settings', () => {
  const schema = z.object(retentionSettings(RULES));

  it("gives each rule's setting its default, and reads whole days from the environment", () => {
    expect(schema.parse({})).toEqual({ RECORDS_RETENTION_DAYS: 30, NOTES_RETENTION_DAYS: 14 });
    expect(schema.parse({ RECORDS_RETENTION_DAYS: '7', NOTES_RETENTION_DAYS: '' })).toEqual({
      RECORDS_RETENTION_DAYS: 7,
      NOTES_RETENTION_DAYS: 14,
    });
    expect(schema.parse({ RECORDS_RETENTION_DAYS: '0' }).RECORDS_RETENTION_DAYS).toBe(0);
  });

  it.each(['-1', '1.5', 'a week', '40000'])('refuses %s, naming the setting', (value) => {
    const result = schema.safeParse({ NOTES_RETENTION_DAYS: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['NOTES_RETENTION_DAYS', 'must be a whole number of days from 0 (keep every row) to 36500'],
    ]);
  });

  it('refuses one setting with two defaults', () => {
    expect(() =>
      retentionSettings([
        { table: 'a', column: 'at', setting: 'SHARED_DAYS', days: 1 },
        { table: 'b', column: 'at', setting: 'SHARED_DAYS', days: 2 },
      ]),
    ).toThrow('SHARED_DAYS: two rules give it two defaults, 1 and 2');
  });
});

describe('retention rules', () => {
  it('refuses names that are not plain identifiers, naming the rule', () => {
    const rule = { table: 'notes', column: 'at', setting: 'NOTES_DAYS', days: 1 };
    expect(() => assertRules([{ ...rule, table: 'notes; DROP TABLE x' }])).toThrow(
      /retention rule for notes; DROP TABLE x: table .* is not a valid name/,
    );
    expect(() => assertRules([{ ...rule, column: 'At' }])).toThrow(/column "At"/);
    expect(() => assertRules([{ ...rule, setting: 'notes-days' }])).toThrow(
      'retention rule for notes: "notes-days" is not a setting name',
    );
    expect(() => assertRules([{ ...rule, batchSize: 0 }])).toThrow(/batchSize/);
    expect(() =>
      assertRules([{ ...rule, cascade: [{ table: 'children', on: { 'a b': 'id' } }] }]),
    ).toThrow(/cascade column/);
    expect(() => assertRules([rule])).not.toThrow();
  });

  it('deletes a batch by ctid and checks the conditions again on the row it deletes', () => {
    const sql = deleteBatchSql(
      {
        table: 'runs',
        column: 'started_at',
        where: 'NOT t.pinned',
        cascade: [{ table: 'results', on: { run_id: 'id' } }],
      },
      2,
    );
    expect(sql).toContain(
      `WHERE t.ctid = ANY (ARRAY(SELECT t.ctid FROM "runs" t WHERE t."started_at" < $1::timestamptz AND (NOT t.pinned) LIMIT 2))`,
    );
    expect(sql).toContain(`AND t."started_at" < $1::timestamptz AND (NOT t.pinned)`);
    expect(sql).toContain(`DELETE FROM "results" d USING gone`);
    expect(sql).toContain(`d."run_id" = gone."id"`);
  });
});

describe('the retention metric', () => {
  it('is registered as the catalog lists it', () => {
    retentionDeletedRows();
    expect(catalogMismatches(register, 'persistence')).toEqual([]);
  });
});
