import { waitFor } from '@refinery/testing';
import type { RuleResult } from '../src/rules/rule-result';
import type { RunReport } from '../src/runs/run-report';
import { startMonitor, type Monitor } from './monitor-app';
import { createScratchSchema, request, seriesValue } from './rules-support';

const TABLES = `
  CREATE TABLE customers (id int PRIMARY KEY, email text, country text, age int);
  INSERT INTO customers VALUES (1, 'ann@example.com', 'DE', 34), (2, NULL, 'FR', 41),
    (3, 'bob@example', 'XX', 17), (4, 'ann@example.com', 'DE', 150),
    (5, 'cy@example.org', NULL, NULL);
  CREATE TABLE orders (id int PRIMARY KEY, customer_id int, total numeric);
  INSERT INTO orders VALUES (10, 1, 20), (11, 2, 35), (12, 99, 10), (13, NULL, 5), (14, 77, 12);`;

type Problem = { status: number; detail: string; errors: { path: string; message: string }[] };

describe('validation rules on tables', () => {
  let monitor: Monitor;
  let scratch: Awaited<ReturnType<typeof createScratchSchema>>;
  let s: string;
  const created: string[] = [];
  const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    request<T>(monitor.url, method, path, body);
  const create = async (rule: Record<string, unknown>) => {
    const res = await call<{ id: string; name: string }>('POST', '/api/quality/rules', {
      ...rule,
      name: `${s}.${rule.name as string}`,
    });
    expect(res).toMatchObject({ status: 201 });
    created.push(res.body.id);
    return res.body;
  };
  const run = async (...names: string[]) => {
    const query = names.map((n) => `rule=${encodeURIComponent(`${s}.${n}`)}`).join('&');
    const res = await call<RunReport>('POST', `/api/quality/rules/run?${query}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const resultOf = (report: RunReport, name: string): RuleResult =>
    report.results.find((r) => r.rule.name === `${s}.${name}`)!;

  beforeAll(async () => {
    scratch = await createScratchSchema(TABLES);
    s = scratch.schema;
    monitor = await startMonitor({ QUALITY_CUSTOM_SQL_TIMEOUT_MS: '300' });
    await create({
      name: 'email-present',
      type: 'not_null',
      table: `${s}.customers`,
      column: 'email',
    });
    await create({
      name: 'adult-age',
      type: 'range',
      table: `${s}.customers`,
      column: 'age',
      min: 18,
      max: 120,
    });
    await create({
      name: 'email-shape',
      type: 'regex',
      table: `${s}.customers`,
      column: 'email',
      pattern: '^[^@]+@[^@]+\\.[a-z]+$',
      severity: 'warning',
    });
    await create({
      name: 'known-country',
      type: 'accepted_values',
      table: `${s}.customers`,
      column: 'country',
      values: ['DE', 'FR'],
    });
    await create({
      name: 'one-account-per-email',
      type: 'unique',
      table: `${s}.customers`,
      column: 'email',
    });
    await create({
      name: 'order-customer-exists',
      type: 'foreign_key',
      table: `${s}.orders`,
      column: 'customer_id',
      references: `${s}.customers.id`,
      severity: 'critical',
    });
    await create({
      name: 'tiny-orders',
      type: 'custom_sql',
      table: `${s}.orders`,
      sql: `SELECT id, total FROM ${s}.orders WHERE total < 10;`,
    });
    await create({
      name: 'order-id-present',
      type: 'not_null',
      table: `${s}.orders`,
      column: 'id',
    });
  });

  afterAll(async () => {
    for (const id of created) await call('DELETE', `/api/quality/rules/${id}`);
    await monitor?.close();
    await scratch?.drop();
  });

  it('runs every rule type and names the failing rows and values, in the Great Expectations shape', async () => {
    const report = await run(
      'email-present',
      'adult-age',
      'email-shape',
      'known-country',
      'one-account-per-email',
      'order-customer-exists',
      'tiny-orders',
      'order-id-present',
    );
    expect(report).toMatchObject({
      trigger: 'api',
      success: false,
      statistics: { evaluated: 8, successful: 1, unsuccessful: 7, success_percent: 12.5 },
    });
    const found = (name: string) => {
      const { success, result } = resultOf(report, name);
      return { success, ...result };
    };
    expect(found('email-present')).toMatchObject({
      success: false,
      element_count: 5,
      unexpected_count: 1,
      unexpected_percent: 20,
      partial_unexpected_list: [null],
      unexpected_ids: ['2'],
    });
    // The NULL age is not judged by a range: 2 of the 4 ages fail.
    expect(found('adult-age')).toMatchObject({
      missing_count: 1,
      unexpected_count: 2,
      unexpected_percent: 50,
      partial_unexpected_list: [17, 150],
      unexpected_ids: ['3', '4'],
    });
    expect(found('email-shape')).toMatchObject({
      unexpected_count: 1,
      partial_unexpected_list: ['bob@example'],
      unexpected_ids: ['3'],
    });
    expect(found('known-country')).toMatchObject({
      unexpected_count: 1,
      partial_unexpected_list: ['XX'],
      unexpected_ids: ['3'],
    });
    expect(found('one-account-per-email')).toMatchObject({
      unexpected_count: 2,
      partial_unexpected_list: ['ann@example.com', 'ann@example.com'],
      unexpected_ids: ['1', '4'],
    });
    expect(found('order-customer-exists')).toMatchObject({
      unexpected_count: 2,
      partial_unexpected_list: [99, 77],
      unexpected_ids: ['12', '14'],
    });
    expect(found('tiny-orders')).toMatchObject({
      element_count: 5,
      unexpected_count: 1,
      unexpected_percent: 20,
      partial_unexpected_list: [{ id: 13, total: 5 }],
      unexpected_ids: ['13'],
    });
    expect(found('order-id-present')).toMatchObject({ success: true, unexpected_count: 0 });
    expect(resultOf(report, 'order-customer-exists').rule).toMatchObject({
      type: 'foreign_key',
      severity: 'critical',
      dimension: 'consistency',
      table: `${s}.orders`,
    });

    // The run is stored as it was answered.
    const stored = await call<RunReport>('GET', `/api/quality/runs/${report.id}`);
    expect(stored).toEqual({ status: 200, body: report });
  });

  it('exports the latest unexpected counts, per-dimension scores and run outcomes as metrics', async () => {
    const before = await fetch(`${monitor.url}/metrics`).then((r) => r.text());
    const failures = (text: string) =>
      seriesValue(text, 'refinery_quality_rule_runs_total', {
        trigger: 'api',
        outcome: 'failure',
      }) ?? 0;
    await run('adult-age', 'email-shape', 'known-country', 'email-present', 'order-id-present');
    const metrics = await fetch(`${monitor.url}/metrics`).then((r) => r.text());

    expect(failures(metrics) - failures(before)).toBe(4);
    const customers = `${s}.customers`;
    expect(
      seriesValue(metrics, 'refinery_quality_rule_unexpected_records', {
        table: customers,
        rule: `${s}.adult-age`,
        severity: 'error',
        dimension: 'validity',
      }),
    ).toBe(2);
    // Validity judged 4 ages, 4 emails and 4 countries; 4 of those 12 failed.
    expect(
      seriesValue(metrics, 'refinery_quality_data_score', {
        table: customers,
        dimension: 'validity',
      }),
    ).toBe(66.67);
    expect(
      seriesValue(metrics, 'refinery_quality_data_score', {
        table: customers,
        dimension: 'completeness',
      }),
    ).toBe(80);
    expect(
      seriesValue(metrics, 'refinery_quality_data_score', {
        table: `${s}.orders`,
        dimension: 'consistency',
      }),
    ).toBe(50);
  });

  it('answers 400 naming the field for unknown tables and columns, bad names and unknown fields', async () => {
    const bad = async (rule: Record<string, unknown>) => {
      const res = await call<Problem>('POST', '/api/quality/rules', { name: `${s}.bad`, ...rule });
      expect(res.status).toBe(400);
      return res.body;
    };
    const nullable = { type: 'not_null', table: `${s}.customers`, column: 'email' };
    expect(await bad({ ...nullable, table: `${s}.nope` })).toMatchObject({
      errors: [{ path: 'table', message: expect.stringContaining(`${s}.nope does not exist`) }],
    });
    expect(await bad({ ...nullable, column: 'mail' })).toMatchObject({
      errors: [{ path: 'column', message: `table ${s}.customers has no column mail` }],
    });
    expect(
      await bad({ ...nullable, table: `${s}.customers; DROP TABLE ${s}.orders` }),
    ).toMatchObject({
      errors: [{ path: 'table' }],
    });
    expect(await bad({ ...nullable, column: 'email"; --' })).toMatchObject({
      errors: [{ path: 'column' }],
    });
    expect(await bad({ ...nullable, type: 'regex', pattren: 'x' })).toMatchObject({
      errors: expect.arrayContaining([{ path: 'pattren', message: 'is not a known field here' }]),
    });
    expect(await bad({ ...nullable, type: 'range', column: 'age', min: 'old' })).toMatchObject({
      errors: [
        { path: 'min', message: expect.stringContaining('invalid input syntax for type integer') },
      ],
    });
    expect((await bad({ ...nullable, severity: 'fatal' })).errors[0].path).toBe('severity');
    const existing = await bad({ ...nullable, name: `${s}.email-present` });
    expect(existing.errors).toEqual([
      { path: 'name', message: expect.stringContaining('already exists') },
    ]);
    expect((await call<Problem>('POST', '/api/quality/rules/run?rule=no-such-rule')).status).toBe(
      404,
    );
  });

  it('refuses custom SQL that is not a single SELECT, and changes nothing', async () => {
    const custom = (sql: string) =>
      call<Problem>('POST', '/api/quality/rules', {
        name: `${s}.custom-bad`,
        type: 'custom_sql',
        sql,
      });
    const write = await custom(`DELETE FROM ${s}.orders RETURNING id`);
    expect(write.status).toBe(400);
    expect(write.body.errors).toEqual([
      { path: 'sql', message: expect.stringContaining('this is DELETE') },
    ]);
    const sneaky = await custom(
      `WITH gone AS (DELETE FROM ${s}.orders RETURNING id) SELECT * FROM gone`,
    );
    expect(sneaky.body.errors[0].message).toContain('contains DELETE');
    const two = await custom(`SELECT 1 AS id; DROP TABLE ${s}.orders`);
    expect(two.status).toBe(400);
    expect(two.body.detail).toMatch(/^sql: multiple statements are not allowed/);
    const broken = await custom(`SELECT id FROM ${s}.missing`);
    expect(broken.body.errors[0]).toMatchObject({
      path: 'sql',
      message: expect.stringContaining('does not exist'),
    });

    expect(await scratch.admin(`SELECT count(*)::int AS n FROM ${s}.orders`)).toEqual([{ n: 5 }]);
  });

  it('refuses custom SQL that calls functions with effects beyond its result, naming them', async () => {
    for (const [sql, fn] of [
      ['SELECT pg_advisory_lock(42) AS id', 'pg_advisory_lock'],
      ["SELECT set_config('statement_timeout', '0', false) AS id", 'set_config'],
      ['SELECT 1 AS id FROM pg_catalog.pg_sleep(1)', 'pg_sleep'],
      ['SELECT pg_terminate_backend(pid) AS id FROM pg_stat_activity', 'pg_terminate_backend'],
      ["SELECT nextval('x') AS id", 'nextval'],
    ]) {
      const res = await call<Problem>('POST', '/api/quality/rules', {
        name: `${s}.effects`,
        type: 'custom_sql',
        sql,
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        {
          path: 'sql',
          message: expect.stringContaining(`calls ${fn}(), which custom SQL may not`),
        },
      ]);
    }
  });

  it("refuses rules on tenants, API keys or the monitor's own tables, even through a view", async () => {
    const refused = async (rule: Record<string, unknown>, path: string, read: string) => {
      const res = await call<Problem>('POST', '/api/quality/rules', {
        name: `${s}.secret`,
        ...rule,
      });
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain(`may not read ${read}`);
      if (path) expect(res.body.errors).toEqual([{ path, message: expect.any(String) }]);
    };
    const custom = (sql: string) => ({ type: 'custom_sql', sql });
    await refused(custom('SELECT id, key_hash FROM auth.api_keys'), 'sql', 'auth.api_keys');
    await refused(custom('SELECT id FROM "auth".tenants'), 'sql', 'auth.tenants');
    await refused(custom('SELECT record_id AS id FROM quality.record_states'), 'sql', 'quality');
    const own = { type: 'not_null', table: 'quality.validation_rules', column: 'name' };
    await refused(own, '', 'quality.validation_rules');
    const tenantRef = {
      type: 'foreign_key',
      table: `${s}.orders`,
      column: 'customer_id',
      references: 'auth.tenants.id',
    };
    await refused(tenantRef, '', 'auth.tenants');

    // A view runs with its owner's rights: one over auth would hand its rows to anyone reading it.
    await scratch.admin(
      `GRANT USAGE ON SCHEMA auth TO refinery_${s}; GRANT SELECT ON auth.tenants TO refinery_${s};
       SET ROLE refinery_${s}; CREATE VIEW ${s}.tenant_names AS SELECT id, slug FROM auth.tenants;`,
    );
    await refused(custom(`SELECT id FROM ${s}.tenant_names`), 'sql', 'auth.tenants');
    const viaView = { type: 'not_null', table: `${s}.tenant_names`, column: 'slug' };
    await refused(viaView, 'column', 'auth.tenants');
    const profile = await call<Problem>('GET', `/api/quality/completeness/${s}/tenant_names`);
    expect(profile.status).toBe(403);
  });

  it('cancels a custom SQL rule that runs past its timeout and reports why', async () => {
    // Counts for ever: only the statement timeout ends it.
    await create({
      name: 'slow',
      type: 'custom_sql',
      sql: 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i AS id FROM n WHERE i < 0',
    });
    const started = Date.now();
    const report = await run('slow');
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(resultOf(report, 'slow')).toMatchObject({
      success: false,
      result: null,
      exception_info: {
        raised_exception: true,
        exception_message: expect.stringContaining('300 ms statement timeout'),
      },
    });
  });

  it('changes a rule with PATCH, and no longer has it after DELETE', async () => {
    const widened = await call('PATCH', `/api/quality/rules/${s}.adult-age`, { max: 200 });
    expect(widened).toMatchObject({ status: 200, body: { max: 200, min: 18 } });
    expect(resultOf(await run('adult-age'), 'adult-age').result).toMatchObject({
      unexpected_count: 1,
      unexpected_ids: ['3'],
    });
    const retyped = await call<Problem>('PATCH', `/api/quality/rules/${s}.adult-age`, {
      type: 'unique',
    });
    expect(retyped.body.errors[0].path).toBe('type');

    const temporary = await create({
      name: 'temporary',
      type: 'unique',
      table: `${s}.orders`,
      column: 'id',
    });
    expect((await call('DELETE', `/api/quality/rules/${temporary.id}`)).status).toBe(204);
    expect((await call('GET', `/api/quality/rules/${temporary.id}`)).status).toBe(404);
  });

  it('runs every enabled table rule on its schedule, leaving disabled ones out', async () => {
    await call('PATCH', `/api/quality/rules/${s}.order-id-present`, { enabled: false });
    const since = new Date().toISOString();
    const scheduled = await startMonitor({
      QUALITY_RULES_INTERVAL: '1s',
      QUALITY_CUSTOM_SQL_TIMEOUT_MS: '300',
    });
    try {
      const run = await waitFor(async () => {
        const { body } = await call<{ runs: RunReport[] }>(
          'GET',
          '/api/quality/runs?trigger=schedule&limit=5',
        );
        return body.runs.find((r) => r.started_at >= since);
      }, 15_000);
      const { body } = await call<RunReport>('GET', `/api/quality/runs/${run.id}`);
      const names = body.results.map((r) => r.rule.name);
      expect(names).toEqual(expect.arrayContaining([`${s}.email-present`, `${s}.tiny-orders`]));
      expect(names).not.toContain(`${s}.order-id-present`);
    } finally {
      await scheduled.close();
    }
  });
});
