import { checkReadOnlySql } from './sql-guard';

const OFF_LIMITS = ['quality', 'auth'];

const problem = (sql: string) => {
  const check = checkReadOnlySql(sql, OFF_LIMITS);
  return check.ok ? undefined : check.problem;
};

describe('checkReadOnlySql', () => {
  it.each([
    ['SELECT id FROM shop.orders WHERE total < 0', 'SELECT id FROM shop.orders WHERE total < 0'],
    ['  select 1;  -- done\n', 'select 1'],
    [
      "WITH x AS (SELECT 'a;b' AS v) SELECT * FROM x",
      "WITH x AS (SELECT 'a;b' AS v) SELECT * FROM x",
    ],
    [`SELECT "delete" FROM t /* drop; */`, `SELECT "delete" FROM t /* drop; */`],
    [`SELECT $q$ insert; $q$, E'it\\'s; update'`, `SELECT $q$ insert; $q$, E'it\\'s; update'`],
    [
      `SELECT upper(name) AS lo_name, lower("pg_sleep") FROM shop.t WHERE note <> 'pg_sleep(1)'`,
      `SELECT upper(name) AS lo_name, lower("pg_sleep") FROM shop.t WHERE note <> 'pg_sleep(1)'`,
    ],
    ['SELECT t.quality FROM shop.t AS t', 'SELECT t.quality FROM shop.t AS t'],
    ["SELECT 'auth.api_keys' AS id", "SELECT 'auth.api_keys' AS id"],
  ])('lets a single read through: %s', (sql, cleaned) => {
    expect(checkReadOnlySql(sql, OFF_LIMITS)).toEqual({ ok: true, sql: cleaned });
  });

  it.each([
    ['SELECT 1; SELECT 2', /multiple statements/],
    ['SELECT 1; DROP TABLE shop.orders', /multiple statements/],
    ['SELECT 1;\n42', /multiple statements/],
    ['DELETE FROM shop.orders', /only a single SELECT .* this is DELETE/],
    ['UPDATE shop.orders SET total = 0', /this is UPDATE/],
    ['DROP TABLE shop.orders', /this is DROP/],
    ['CREATE TABLE x (id int)', /this is CREATE/],
    ['WITH gone AS (DELETE FROM shop.orders RETURNING id) SELECT * FROM gone', /contains DELETE/],
    ['SELECT * INTO copy FROM shop.orders', /contains INTO/],
    ['', /is empty/],
    ['-- nothing', /is empty/],
    ["SELECT 'open", /unterminated/],
    ['SELECT 1 /* open', /unterminated/],
    ['SELECT pg_advisory_lock(1)', /calls pg_advisory_lock\(\)/],
    ['SELECT pg_try_advisory_xact_lock(1)', /calls pg_try_advisory_xact_lock\(\)/],
    ['SELECT 1 AS id FROM pg_catalog.pg_sleep(3)', /calls pg_sleep\(\)/],
    ['SELECT "pg_sleep" /* hidden */ (3)', /calls pg_sleep\(\)/],
    ['SELECT PG_SLEEP_FOR($$1 second$$)', /calls pg_sleep_for\(\)/],
    ["SELECT set_config('search_path', 'auth', false)", /calls set_config\(\)/],
    ["SELECT nextval('shop.ids')", /calls nextval\(\)/],
    ['SELECT setval($1, 1)', /calls setval\(\)/],
    ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity', /calls pg_terminate_backend/],
    ['SELECT pg_cancel_backend(1)', /calls pg_cancel_backend/],
    ["SELECT * FROM dblink('host=x', 'select 1') AS t(a int)", /calls dblink\(\)/],
    ["SELECT lo_import('/etc/passwd')", /calls lo_import\(\)/],
    ["SELECT pg_read_file('/etc/passwd')", /calls pg_read_file\(\)/],
    ["SELECT pg_read_binary_file('x')", /calls pg_read_binary_file\(\)/],
    ["SELECT * FROM pg_ls_dir('.')", /calls pg_ls_dir\(\)/],
    ["SELECT pg_notify('c', 'x')", /calls pg_notify\(\)/],
    ['SELECT txid_current()', /calls txid_current\(\)/],
    ['SELECT pg_current_xact_id()', /calls pg_current_xact_id\(\)/],
    ["SELECT query_to_xml('select pg_sleep(9)', true, true, '')", /calls query_to_xml\(\)/],
    ['SELECT * FROM shop.t FOR SHARE', /must not lock rows/],
    ['SELECT * FROM shop.t FOR UPDATE', /contains UPDATE/],
    ['SELECT * FROM U&"\\0070g_sleep"(1)', /U&"\.\.\." names/],
    ['SELECT key_hash AS id FROM auth.api_keys', /may not read auth\.api_keys: .*own schema/],
    ['SELECT * FROM "auth" . "tenants"', /may not read auth\.tenants/],
    ['SELECT record_id AS id FROM Quality.record_states', /may not read quality/],
  ])('refuses %j', (sql, message) => {
    expect(problem(sql)).toMatch(message);
  });

  it('marks a read of a schema off limits as such', () => {
    expect(checkReadOnlySql('SELECT * FROM quality.rule_runs', OFF_LIMITS)).toMatchObject({
      ok: false,
      offLimits: { schema: 'quality', relation: 'rule_runs' },
    });
    expect(checkReadOnlySql('SELECT pg_sleep(1)', OFF_LIMITS)).not.toHaveProperty('offLimits');
  });
});
