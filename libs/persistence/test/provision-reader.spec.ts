import { join } from 'node:path';
import { Client, DatabaseError, escapeIdentifier as ident } from 'pg';

import { provisionDatabase, readerRole, serviceRole } from '../src';
import { provisionFromManifest } from '../src/cli/provision';
import { findWorkspaceRoot, readServicesManifest } from '../src/cli/services-manifest';
import {
  admin,
  asAdmin,
  dropRoles,
  dropSchemas,
  serviceConfig,
  TEST_DATABASE,
  uniqueName,
  withClient,
} from './test-database';

/** What each statement did, run one by one: 'allowed' or the SQLSTATE it failed with. */
async function outcomes(client: Client, statements: string[]): Promise<string[]> {
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
}

describe("provisionDatabase: a schema's own reader", () => {
  const shop = uniqueName('shop');
  const other = uniqueName('other');
  const reader = readerRole(shop);
  const asReader = { ...serviceConfig(shop), user: reader };
  const provision = (readers: string[]) =>
    provisionDatabase({ admin, database: TEST_DATABASE, schemas: [shop, other], readers });

  afterAll(async () => {
    await dropRoles(reader);
    await dropSchemas(shop, other);
  });

  it('reads every table, partition and view of its schema, later ones too, and writes nothing', async () => {
    // Made before the reader exists: granted when it is provisioned.
    await provision([]);
    await withClient(serviceConfig(shop), (client) =>
      client.query(
        `CREATE TABLE ${ident(shop)}.early (id int); INSERT INTO ${ident(shop)}.early VALUES (1)`,
      ),
    );
    const first = await provision([shop]);
    expect(first.readers).toEqual([{ schema: shop, role: reader, roleCreated: true }]);
    expect((await provision([shop])).readers).toEqual([
      { schema: shop, role: reader, roleCreated: false },
    ]);

    // Made afterwards by the schema's role, as migrations and a partition function do.
    const s = ident(shop);
    await withClient(serviceConfig(shop), (client) =>
      client.query(`
        CREATE TABLE ${s}.events (at date NOT NULL, n int) PARTITION BY RANGE (at);
        CREATE TABLE ${s}.events_2025 PARTITION OF ${s}.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        INSERT INTO ${s}.events VALUES ('2025-06-01', 2);
        CREATE MATERIALIZED VIEW ${s}.totals AS SELECT sum(n)::int AS n FROM ${s}.events;
        CREATE SEQUENCE ${s}.ids;`),
    );
    await withClient(serviceConfig(other), (client) =>
      client.query(`CREATE TABLE ${ident(other)}.secret (id int)`),
    );

    const seen = await withClient(asReader, async (client) => {
      const rows = await client.query(
        `SELECT (SELECT id FROM ${s}.early) AS early, (SELECT n FROM ${s}.events) AS parent,
                (SELECT n FROM ${s}.events_2025) AS partition, (SELECT n FROM ${s}.totals) AS view`,
      );
      const refused = await outcomes(client, [
        `INSERT INTO ${s}.early VALUES (2)`,
        // With the read-only default turned off, the role still has no right to write.
        `BEGIN READ WRITE; INSERT INTO ${s}.early VALUES (2)`,
        `BEGIN READ WRITE; UPDATE ${s}.events SET n = 3`,
        `BEGIN READ WRITE; SELECT nextval('${shop}.ids')`,
        `BEGIN READ WRITE; CREATE TABLE ${s}.mine (id int)`,
        `BEGIN READ WRITE; REFRESH MATERIALIZED VIEW ${s}.totals`,
        `SELECT * FROM ${ident(other)}.secret`,
        'SELECT * FROM pg_authid',
      ]);
      return { rows: rows.rows, refused };
    });
    expect(seen.rows).toEqual([{ early: 1, parent: 2, partition: 2, view: 2 }]);
    // 25006: read-only transaction; 42501: permission denied.
    expect(seen.refused).toEqual([
      '25006',
      '42501',
      '42501',
      '42501',
      '42501',
      '42501',
      '42501',
      '42501',
    ]);
  });

  it('holds no attribute or membership, even one granted by hand before a run', async () => {
    await provision([shop]);
    await asAdmin((client) =>
      client.query(
        `GRANT pg_read_all_data TO ${ident(reader)}; ALTER ROLE ${ident(reader)} CREATEDB`,
      ),
    );
    await provision([shop]);
    const role = await asAdmin(async (client) => {
      const { rows } = await client.query(
        `SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls, r.rolcanlogin,
                ARRAY(SELECT m.roleid::regrole::text FROM pg_auth_members m WHERE m.member = r.oid) AS member_of,
                ARRAY(SELECT unnest(s.setconfig) FROM pg_db_role_setting s WHERE s.setrole = r.oid) AS settings
           FROM pg_roles r WHERE r.rolname = $1`,
        [reader],
      );
      return rows[0];
    });
    expect(role).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolbypassrls: false,
      rolcanlogin: true,
      member_of: [],
      settings: ['default_transaction_read_only=on'],
    });
  });

  it('takes back what it was granted once the schema no longer asks for a reader', async () => {
    await provision([shop]);
    await withClient(serviceConfig(shop), (client) =>
      client.query(`CREATE TABLE IF NOT EXISTS ${ident(shop)}.early (id int)`),
    );
    await provision([]);
    await withClient(serviceConfig(shop), (client) =>
      client.query(`CREATE TABLE ${ident(shop)}.after_retiring (id int)`),
    );
    const refused = await withClient(asReader, (client) =>
      outcomes(client, [
        `SELECT * FROM ${ident(shop)}.early`,
        `SELECT * FROM ${ident(shop)}.after_retiring`,
      ]),
    );
    expect(refused).toEqual(['42501', '42501']);
  });

  it('refuses a reader for a schema it does not provision, or one named like another role', async () => {
    // Port 1 is closed: reaching the server would fail with a connection error instead.
    const unreachable = { ...admin, port: 1 };
    await expect(
      provisionDatabase({
        admin: unreachable,
        database: TEST_DATABASE,
        schemas: [shop],
        readers: [other],
      }),
    ).rejects.toThrow(`readers names schemas that are not provisioned: ${other}`);
    await expect(
      provisionDatabase({
        admin: unreachable,
        database: TEST_DATABASE,
        schemas: [shop, `${shop}_reader`],
        readers: [shop],
      }),
    ).rejects.toThrow(`two roles would be named ${serviceRole(`${shop}_reader`)}`);
  });
});

describe('provisioned from the manifest', () => {
  it('gives each service asking for a reader one that may use its schema only, not the shared one', async () => {
    const manifest = join(findWorkspaceRoot(__dirname), 'deploy', 'services.json');
    const { services, sharedSchema } = readServicesManifest(manifest);
    const readers = services.filter((service) => service.reader);
    expect(readers.map((service) => readerRole(service.schema))).toContain(
      'refinery_analytics_reader',
    );
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('REFINERY_DB_PASSWORD_')),
    );
    const result = await provisionFromManifest(manifest, { ...env, DATABASE_NAME: TEST_DATABASE });
    expect(result.readers.map((r) => r.role)).toEqual(
      readers.map((service) => readerRole(service.schema)),
    );

    const schemas = [...services.map((service) => service.schema), sharedSchema?.schema ?? 'auth'];
    for (const { schema } of readers) {
      const usage = await withClient(
        { ...serviceConfig(schema), user: readerRole(schema) },
        async (client) => {
          const { rows } = await client.query<{ schema: string }>(
            `SELECT s AS schema FROM unnest($1::text[]) AS s
              WHERE has_schema_privilege(s, 'USAGE') ORDER BY s`,
            [schemas],
          );
          return rows.map((row) => row.schema);
        },
      );
      expect(usage).toEqual([schema]);
    }
  });
});
