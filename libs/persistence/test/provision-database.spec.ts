import { DatabaseError, escapeIdentifier as ident } from 'pg';

import { provisionDatabase, READONLY_ROLE } from '../src';
import {
  admin,
  asAdmin,
  dropSchemas,
  provisionSchemas,
  serviceConfig,
  TEST_DATABASE,
  uniqueName,
  withClient,
} from './test-database';

describe('provisionDatabase', () => {
  const orders = uniqueName('orders');
  const billing = uniqueName('billing');

  afterAll(() => dropSchemas(orders, billing));

  it('creates roles and schemas once; running again, even twice at once, changes nothing', async () => {
    const first = await provisionSchemas(orders, billing);
    expect(first.schemas).toEqual([
      { schema: orders, role: `refinery_${orders}`, roleCreated: true, schemaCreated: true },
      { schema: billing, role: `refinery_${billing}`, roleCreated: true, schemaCreated: true },
    ]);

    const again = await Promise.all([
      provisionSchemas(orders, billing),
      provisionSchemas(billing, orders),
    ]);
    for (const result of again) {
      expect(result.databaseCreated).toBe(false);
      expect(result.schemas.every((s) => !s.roleCreated && !s.schemaCreated)).toBe(true);
    }

    const owners = await asAdmin(async (client) => {
      const result = await client.query<{ nspname: string; owner: string }>(
        'SELECT nspname, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = ANY($1) ORDER BY nspname',
        [[orders, billing]],
      );
      return result.rows;
    });
    expect(owners).toEqual([
      { nspname: billing, owner: `refinery_${billing}` },
      { nspname: orders, owner: `refinery_${orders}` },
    ]);
    const vector = await asAdmin((client) =>
      client.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'"),
    );
    expect(vector.rowCount).toBe(1);
  });

  it('lets a role create tables in its own schema only', async () => {
    await provisionSchemas(orders, billing);
    await withClient(serviceConfig(billing), (client) =>
      client.query(`CREATE TABLE ${ident(billing)}.invoices (id int)`),
    );

    const failures = await withClient(serviceConfig(orders), async (client) => {
      await client.query(`CREATE TABLE ${ident(orders)}.lines (id int)`);
      const codes: string[] = [];
      for (const sql of [
        `CREATE TABLE ${ident(billing)}.stolen (id int)`,
        'CREATE TABLE public.stolen (id int)',
        `SELECT * FROM ${ident(billing)}.invoices`,
      ]) {
        codes.push(
          await client.query(sql).then(
            () => 'allowed',
            (error: DatabaseError) => String(error.code),
          ),
        );
      }
      return codes;
    });
    expect(failures).toEqual(['42501', '42501', '42501']);
    await expect(
      asAdmin((client) => client.query(`SELECT * FROM ${ident(orders)}.lines`)),
    ).resolves.toBeDefined();
  });

  it('lets the read-only role read every service schema, tables created later too, and write nothing', async () => {
    await provisionSchemas(orders, billing);
    await withClient(serviceConfig(orders), async (client) => {
      await client.query(`CREATE TABLE ${ident(orders)}.later (id int)`);
      await client.query(`INSERT INTO ${ident(orders)}.later VALUES (7)`);
    });

    const outcomes = await withClient(
      { ...serviceConfig(orders), user: READONLY_ROLE },
      async (client) => {
        const read = await client.query(`SELECT id FROM ${ident(orders)}.later`);
        const codes: string[] = [];
        for (const sql of [
          `INSERT INTO ${ident(orders)}.later VALUES (8)`,
          // Even with the read-only default turned off, the role has no right to write.
          `BEGIN READ WRITE; INSERT INTO ${ident(orders)}.later VALUES (8)`,
          `CREATE TABLE ${ident(billing)}.mine (id int)`,
        ]) {
          codes.push(
            await client.query(sql).then(
              () => 'allowed',
              (error: DatabaseError) => String(error.code),
            ),
          );
          await client.query('ROLLBACK');
        }
        return { rows: read.rows, codes };
      },
    );
    // 25006: read-only transaction; 42501: permission denied.
    expect(outcomes).toEqual({ rows: [{ id: 7 }], codes: ['25006', '42501', '25006'] });
  });

  it('creates a missing database', async () => {
    const database = uniqueName('refinery_scratch');
    try {
      const result = await provisionDatabase({
        admin,
        database,
        schemas: [],
        extensions: ['vector'],
      });
      expect(result.databaseCreated).toBe(true);
      const found = await asAdmin(
        (client) => client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]),
        'postgres',
      );
      expect(found.rowCount).toBe(1);
      expect((await provisionDatabase({ admin, database, schemas: [] })).databaseCreated).toBe(
        false,
      );
    } finally {
      await asAdmin(
        (client) => client.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`),
        'postgres',
      );
    }
  });

  it('refuses unsafe names before connecting to anything', async () => {
    // Port 1 is closed: reaching the server would fail with a connection error instead.
    const unreachable = { ...admin, port: 1 };
    await expect(
      provisionDatabase({
        admin: unreachable,
        database: TEST_DATABASE,
        schemas: ['orders', 'x"; DROP SCHEMA public; --'],
      }),
    ).rejects.toThrow('schema "x"; DROP SCHEMA public; --" is not a valid name');
    await expect(
      provisionDatabase({ admin: unreachable, database: 'Refinery', schemas: [] }),
    ).rejects.toThrow('database "Refinery" is not a valid name');
  });
});
