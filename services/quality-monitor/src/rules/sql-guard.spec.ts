import { checkReadOnlySql } from './sql-guard';

const problem = (sql: string) => {
  const check = checkReadOnlySql(sql);
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
  ])('lets a single read through: %s', (sql, cleaned) => {
    expect(checkReadOnlySql(sql)).toEqual({ ok: true, sql: cleaned });
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
  ])('refuses %j', (sql, message) => {
    expect(problem(sql)).toMatch(message);
  });
});
