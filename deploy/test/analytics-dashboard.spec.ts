import {
  adminConfigFromEnv,
  databaseConfigFromEnv,
  provisionDatabase,
  readerRole,
  type DatabaseConfig,
} from '@refinery/persistence';
import { startServiceProcess, uniqueName } from '@refinery/testing';
import { randomInt } from 'node:crypto';
import { Client, DatabaseError } from 'pg';

import {
  loadDashboards,
  sqlTargetsOf,
  variableQuery,
  type Dashboard,
  type SqlTarget,
} from './support/dashboards';
import { interpolateSql, relativeRange, type SqlContext } from './support/grafana-sql';
import { manifest } from './support/repo';

// The analytics dashboard's SQL, as Grafana sends it, run against refinery_test as the role its
// datasource logs in with (refinery_analytics_reader), over rows planted for tenants of its own.

const DATABASE = process.env.DATABASE_NAME ?? 'refinery_test';
const SCHEMA = 'analytics';
const READER = readerRole(SCHEMA);
const env = { ...process.env, DATABASE_NAME: DATABASE, DATABASE_USER: undefined };
/** The service's own role, which owns the schema and writes the rows. */
const asService = databaseConfigFromEnv(SCHEMA, env);
/** Grafana's login; with trust authentication any password does. */
const asReader = databaseConfigFromEnv(SCHEMA, { ...env, DATABASE_USER: READER });

const dashboard = loadDashboards().find((d) => d.uid === 'refinery-analytics') as Dashboard;
const targets = sqlTargetsOf(dashboard);
const variables = dashboard.templating?.list ?? [];
const panel = (title: string): SqlTarget => {
  const found = targets.find((target) => target.panel.title === title);
  if (!found) throw new Error(`analytics.json has no SQL panel "${title}"`);
  return found;
};

/** The dashboard time range the funnel and experiment rows are planted in. */
const RANGE = { from: new Date('2025-03-01T00:00:00Z'), to: new Date('2025-03-08T00:00:00Z') };

async function withClient<T>(config: DatabaseConfig, run: (client: Client) => Promise<T>) {
  const client = new Client({ ...config, application_name: 'refinery:analytics-dashboard-test' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A panel's SQL, interpolated as Grafana would, run as the reader. */
async function runPanel(target: SqlTarget, context: SqlContext) {
  const sql = interpolateSql(target.rawSql, context);
  return withClient(asReader, async (client) => (await client.query(sql)).rows);
}

/** The 15th of the month `offset` months from this one (UTC), as a date. */
function monthDay(offset: number, now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 15))
    .toISOString()
    .slice(0, 10);
}

/** The first of the month `offset` months from this one, 00:00 UTC. */
function monthStart(offset: number, now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
}

describe('Grafana analytics dashboard', () => {
  const tenant = uniqueName('dash');
  /** Another tenant's rows, which no panel of `tenant` may count. */
  const stranger = uniqueName('dash_other');
  const funnels: Record<string, string> = {};
  // A partition made after provisioning, as the service makes a new month's (far-off, its own).
  const [year, month] = [2300 + randomInt(600), 1 + randomInt(12)];
  const futurePartition = `events_${year}_${String(month).padStart(2, '0')}`;
  let messages = 0;

  beforeAll(async () => {
    // The reader as provisioning makes it from deploy/services.json (`npm test` provisions too,
    // but from dist/, which may predate it).
    const readers = manifest()
      .filter((service) => service.reader)
      .map((service) => service.schema);
    expect(readers).toContain(SCHEMA);
    await provisionDatabase({
      admin: adminConfigFromEnv(),
      database: DATABASE,
      schemas: readers,
      readers,
    });

    const migrated = await withClient(asService, (client) =>
      client.query("SELECT to_regclass('analytics.mv_cohort_retention') IS NOT NULL AS ok"),
    );
    if (!migrated.rows[0].ok) {
      // The service migrates its schema as it starts.
      const service = await startServiceProcess('analytics', { ANALYTICS_TENANT: tenant });
      await service.stop();
    }

    await withClient(asService, async (db) => {
      await db.query('BEGIN');
      for (const at of ['2025-02-01', '2025-03-01'])
        await db.query('SELECT analytics.ensure_event_partition($1::timestamptz)', [at]);
      const event = (
        who: string,
        user: string | null,
        name: string,
        at: string,
        properties: Record<string, string> = {},
      ) =>
        db.query(
          `INSERT INTO analytics.events (tenant, message_id, kind, user_id, anonymous_id, event, properties, occurred_at)
           VALUES ($1, $2, 'track', $3, $4, $5, $6, $7)`,
          [who, `m${++messages}`, user, user ? null : 'anon-1', name, properties, at],
        );

      // Retention: cohorts by first active month, relative to now. The panel shows the last
      // 12 months' cohorts (its relative time, 1y): E's month is the first it shows, D's is older.
      const days: [string, string, number[]][] = [
        ['e1', tenant, [-12, -1]],
        ['a1', tenant, [-10, -9, -8]],
        ['a2', tenant, [-10, -9]],
        ['a3', tenant, [-10, 0]],
        ['a4', tenant, [-10]],
        ['b1', tenant, [-8, -7]],
        ['b2', tenant, [-8]],
        ['c1', tenant, [0]],
        ['d1', tenant, [-14, -13, -12]],
        ['x1', stranger, [-10, -9, -8, -7]],
      ];
      for (const [user, who, months] of days) {
        for (const offset of months)
          await db.query(
            'INSERT INTO analytics.user_days (tenant, user_id, day) VALUES ($1, $2, $3)',
            [who, user, monthDay(offset)],
          );
      }
      for (const who of [tenant, stranger])
        await db.query(
          `INSERT INTO analytics.users (tenant, user_id, first_seen_at, last_seen_at)
           VALUES ($1, 'u1', '2025-03-02T10:00:00Z', '2025-03-02T10:00:00Z')`,
          [who],
        );

      // Funnels: the same steps in strict and in any order, one day to convert.
      for (const [name, strict] of [
        ['Checkout', true],
        ['Checkout, any order', false],
      ] as const) {
        const { rows } = await db.query(
          `INSERT INTO analytics.conversion_funnels (tenant, funnel_name, steps, conversion_window, strict_order)
           VALUES ($1, $2, $3, '1 day', $4) RETURNING funnel_id::text AS id`,
          [
            tenant,
            name,
            JSON.stringify(['Product Viewed', 'Product Added', 'Order Completed']),
            strict,
          ],
        );
        funnels[name] = rows[0].id;
      }
      const [view, add, order] = ['Product Viewed', 'Product Added', 'Order Completed'];
      // u1 converts; u2 orders after the window; u3 added before viewing; u4 ordered before
      // adding (converts in any order only); u5 viewed before the range too (enters on the
      // later view); u6 adds after the range ends, within the window.
      for (const [user, name, at] of [
        ['u1', view, '2025-03-02T10:00:00Z'],
        ['u1', add, '2025-03-02T10:05:00Z'],
        ['u1', order, '2025-03-02T11:00:00Z'],
        ['u2', view, '2025-03-02T10:00:00Z'],
        ['u2', add, '2025-03-02T12:00:00Z'],
        ['u2', order, '2025-03-04T10:00:00Z'],
        ['u3', add, '2025-03-02T09:00:00Z'],
        ['u3', view, '2025-03-02T10:00:00Z'],
        ['u4', view, '2025-03-02T10:00:00Z'],
        ['u4', order, '2025-03-02T10:30:00Z'],
        ['u4', add, '2025-03-02T11:00:00Z'],
        ['u5', view, '2025-02-28T10:00:00Z'],
        ['u5', view, '2025-03-03T10:00:00Z'],
        ['u5', add, '2025-03-03T11:00:00Z'],
        ['u6', view, '2025-03-07T23:00:00Z'],
        ['u6', add, '2025-03-08T01:00:00Z'],
        // After the range: not an entry.
        ['u7', view, '2025-03-09T10:00:00Z'],
      ])
        await event(tenant, user, name, at);
      await event(tenant, null, view, '2025-03-02T10:00:00Z');
      await event(stranger, 'u99', view, '2025-03-02T10:00:00Z');

      // Experiments: each user's first exposure in the range decides variant and conversion.
      const seen = (
        user: string | null,
        at: string,
        properties: Record<string, string>,
        who = tenant,
      ) => event(who, user, 'Experiment Viewed', at, properties);
      const checkout = (variant: string, converted?: boolean, key = 'variation_name') => ({
        experiment_id: 'checkout-v2',
        [key]: variant,
        ...(converted === undefined ? {} : { converted: String(converted) }),
      });
      await seen('u1', '2025-03-02T10:00:00Z', checkout('control', true));
      await seen('u1', '2025-03-03T10:00:00Z', checkout('treatment', false));
      await seen('u2', '2025-03-02T10:00:00Z', checkout('control', false));
      await seen('u3', '2025-03-02T10:00:00Z', checkout('treatment', true));
      await seen('u4', '2025-03-02T10:00:00Z', checkout('treatment', true, 'variation'));
      await seen('u5', '2025-03-02T10:00:00Z', checkout('treatment'));
      await seen('u6', '2025-02-27T10:00:00Z', checkout('control', false));
      await seen('u6', '2025-03-04T10:00:00Z', checkout('treatment', true));
      await seen('u7', '2025-03-02T10:00:00Z', { experiment_id: 'checkout-v2', converted: 'true' });
      await seen('u8', '2025-03-09T10:00:00Z', checkout('control', true));
      await seen(null, '2025-03-02T10:00:00Z', checkout('control', true));
      await seen('u1', '2025-03-02T10:00:00Z', checkout('control', true), stranger);
      await seen('u1', '2025-03-05T10:00:00Z', {
        experiment_id: 'banner',
        variation_name: 'a',
        converted: 'false',
      });
      await seen('u2', '2025-03-05T10:00:00Z', {
        experiment_id: 'banner',
        variation_name: 'b',
        converted: 'true',
      });
      await db.query('COMMIT');
      await db.query('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.mv_cohort_retention');
    });
  }, 60_000);

  afterAll(async () => {
    await withClient(asService, async (db) => {
      for (const table of ['events', 'user_days', 'users', 'conversion_funnels'])
        await db.query(`DELETE FROM analytics.${table} WHERE tenant = ANY($1)`, [
          [tenant, stranger],
        ]);
      await db.query(`DROP TABLE IF EXISTS analytics.${futurePartition}`);
      await db.query('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.mv_cohort_retention');
    });
  });

  it('has SQL panels for retention, the funnel and experiments, and no other to test', () => {
    expect(targets.map((target) => `${target.panel.type}: ${target.panel.title}`)).toEqual([
      'heatmap: Monthly retention by cohort',
      'table: Funnel: ${funnel:text}',
      'table: Experiments',
    ]);
    for (const target of targets) expect(target.panel.description).toBeTruthy();
    const funnel = panel('Funnel: ${funnel:text}').panel.description ?? '';
    expect(funnel).toMatch(/first event of step 1 inside the dashboard time range/);
    expect(funnel).toMatch(/conversion window/);
  });

  it("lists the tenants of analytics.users and the chosen tenant's stored funnels", async () => {
    const [tenants, funnel] = ['tenant', 'funnel'].map((name) => {
      const variable = variables.find((v) => v.name === name);
      if (!variable) throw new Error(`analytics.json has no $${name}`);
      return variable;
    });
    expect(variableQuery(tenants)).toMatch(/^SELECT DISTINCT tenant FROM analytics\.users\b/);
    const context = { ...RANGE, variables: { tenant } };
    const listed = await withClient(asReader, (client) =>
      client.query<{ tenant: string }>(interpolateSql(variableQuery(tenants), context)),
    );
    expect(listed.rows.map((row) => row.tenant)).toEqual(
      expect.arrayContaining([tenant, stranger]),
    );
    expect(
      await withClient(
        asReader,
        async (c) => (await c.query(interpolateSql(variableQuery(funnel), context))).rows,
      ),
    ).toEqual([
      { __text: 'Checkout', __value: funnels.Checkout },
      { __text: 'Checkout, any order', __value: funnels['Checkout, any order'] },
    ]);
  });

  it('shows each cohort of the last 12 months retained per month since, as a share of it', async () => {
    const target = panel('Monthly retention by cohort');
    expect(target.format).toBe('time_series');
    const now = new Date();
    const rows = await runPanel(target, {
      ...relativeRange(target.panel.timeFrom ?? '', now),
      variables: { tenant, funnel: '' },
    });
    // One row per cohort: M0..M11, null for months the cohort has not reached yet.
    const cohort = (offset: number, shares: (number | null)[]) => ({
      time: monthStart(offset, now),
      ...Object.fromEntries(
        Array.from({ length: 12 }, (_, k) => [`M${k}`, k <= -offset ? (shares[k] ?? 0) : null]),
      ),
    });
    expect(rows).toEqual([
      cohort(-12, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
      cohort(-10, [1, 0.5, 0.25, 0, 0, 0, 0, 0, 0, 0, 0.25]),
      cohort(-8, [1, 0.5]),
      cohort(0, [1]),
    ]);
  });

  it.each([
    ['Checkout', [6, 5, 1]],
    ['Checkout, any order', [6, 5, 2]],
  ] as const)('counts the users of each step of funnel "%s"', async (name, users) => {
    const rows = await runPanel(panel('Funnel: ${funnel:text}'), {
      ...RANGE,
      variables: { tenant, funnel: funnels[name] },
    });
    expect(rows).toEqual([
      { step: '1. Product Viewed', users: users[0], from_previous: 1, from_entry: 1 },
      {
        step: '2. Product Added',
        users: users[1],
        from_previous: users[1] / users[0],
        from_entry: users[1] / users[0],
      },
      {
        step: '3. Order Completed',
        users: users[2],
        from_previous: users[2] / users[1],
        from_entry: users[2] / users[0],
      },
    ]);
  });

  it('shows no funnel for a tenant without one, or none chosen', async () => {
    const target = panel('Funnel: ${funnel:text}');
    const other = { ...RANGE, variables: { tenant: stranger, funnel: funnels.Checkout } };
    expect(await runPanel(target, other)).toEqual([]);
    expect(await runPanel(target, { ...RANGE, variables: { tenant, funnel: '' } })).toEqual([]);
  });

  it('counts exposed users and conversions per experiment and variant', async () => {
    const rows = await runPanel(panel('Experiments'), {
      ...RANGE,
      variables: { tenant, funnel: '' },
    });
    const row = (experiment: string, variant: string, exposed: number, conversions: number) => ({
      experiment,
      variant,
      exposed_users: exposed,
      conversions,
      conversion_rate: conversions / exposed,
    });
    expect(rows).toEqual([
      row('banner', 'a', 1, 0),
      row('banner', 'b', 1, 1),
      row('checkout-v2', 'control', 2, 1),
      row('checkout-v2', 'treatment', 4, 3),
    ]);
  });

  describe('the reader role', () => {
    /** What each statement did as the reader: 'allowed' or the SQLSTATE it failed with. */
    const outcomes = (statements: string[]) =>
      withClient(asReader, async (client) => {
        const codes: string[] = [];
        for (const sql of statements) {
          codes.push(
            await client.query(sql).then(
              () => 'allowed',
              (error: DatabaseError) => String(error.code),
            ),
          );
          await client.query('ROLLBACK');
        }
        return codes;
      });

    it('reads every table, partition and view of analytics, a partition made later too', async () => {
      await withClient(asService, (db) =>
        db.query('SELECT analytics.ensure_event_partition($1::timestamptz)', [
          `${year}-${String(month).padStart(2, '0')}-01`,
        ]),
      );
      const privileges = await withClient(asReader, async (client) => {
        const { rows } = await client.query<{
          name: string;
          kind: string;
          read: boolean;
          write: boolean;
        }>(
          `SELECT c.relname AS name, c.relkind::text AS kind,
                  has_table_privilege(c.oid, 'SELECT') AS read,
                  has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') AS write
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'analytics' AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1`,
        );
        return rows;
      });
      const names = privileges.map((p) => p.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'events',
          'events_default',
          'events_2025_03',
          futurePartition,
          'users',
          'user_days',
          'conversion_funnels',
          'mv_cohort_retention',
        ]),
      );
      expect(privileges.filter((p) => !p.read || p.write)).toEqual([]);
      await expect(outcomes([`SELECT * FROM analytics.${futurePartition}`])).resolves.toEqual([
        'allowed',
      ]);
    });

    it('writes nothing, not even with the read-only default turned off', async () => {
      const insert = `INSERT INTO analytics.events (tenant, message_id, kind, occurred_at)
                      VALUES ('${tenant}', 'forged', 'track', '2025-03-02T10:00:00Z')`;
      expect(
        await outcomes([
          insert,
          `BEGIN READ WRITE; ${insert}`,
          `BEGIN READ WRITE; INSERT INTO analytics.user_days VALUES ('${tenant}', 'forged', '2025-03-02')`,
          `BEGIN READ WRITE; UPDATE analytics.conversion_funnels SET strict_order = false`,
          `BEGIN READ WRITE; DELETE FROM analytics.users`,
          `BEGIN READ WRITE; SELECT nextval('analytics.conversion_funnels_funnel_id_seq')`,
          // The service's partition function runs as its caller, who may not create tables.
          `BEGIN READ WRITE; SELECT analytics.ensure_event_partition('2299-01-01T00:00:00Z')`,
          `BEGIN READ WRITE; REFRESH MATERIALIZED VIEW analytics.mv_cohort_retention`,
          `BEGIN READ WRITE; CREATE TABLE analytics.mine (id int)`,
        ]),
      ).toEqual(['25006', '42501', '42501', '42501', '42501', '42501', '42501', '42501', '42501']);
    });

    it('reads no other schema: not the shared tenants and keys, not another service', async () => {
      expect(
        await outcomes([
          'SELECT * FROM ingestion.records LIMIT 1',
          'SELECT * FROM auth.api_keys LIMIT 1',
          'SELECT * FROM auth.tenants LIMIT 1',
        ]),
      ).toEqual(['42501', '42501', '42501']);
      const schemas = [...manifest().map((service) => service.schema), 'auth'];
      const usable = await withClient(asReader, async (client) => {
        const { rows } = await client.query<{ schema: string }>(
          `SELECT s AS schema FROM unnest($1::text[]) AS s
            WHERE to_regnamespace(s) IS NOT NULL AND has_schema_privilege(s, 'USAGE')`,
          [schemas],
        );
        return rows.map((row) => row.schema);
      });
      expect(usable).toEqual([SCHEMA]);
    });
  });
});
