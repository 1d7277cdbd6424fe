import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseError, escapeIdentifier as ident } from 'pg';

import { provisionDatabase, READONLY_ROLE } from '../src';
import { provisionFromManifest } from '../src/cli/provision';
import { findWorkspaceRoot, readServicesManifest } from '../src/cli/services-manifest';
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

  it('sets the password given for each role, and refuses one two roles share or one for no role', async () => {
    const [orderRole, billingRole] = [orders, billing].map((schema) => `refinery_${schema}`);
    /** Whether the role's SCRAM verifier accepts `password`, as the server would at login. */
    const accepts = (role: string, password: string) =>
      asAdmin(async (client) => {
        const { rows } = await client.query<{ secret: string | null }>(
          'SELECT rolpassword AS secret FROM pg_authid WHERE rolname = $1',
          [role],
        );
        const [, iterations, salt, storedKey] =
          /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):/.exec(rows[0]?.secret ?? '') ?? [];
        if (!storedKey) return false;
        const salted = pbkdf2Sync(password, Buffer.from(salt, 'base64'), +iterations, 32, 'sha256');
        const clientKey = createHmac('sha256', salted).update('Client Key').digest();
        return createHash('sha256').update(clientKey).digest('base64') === storedKey;
      });
    await provisionSchemas(orders, billing);
    await asAdmin((client) => client.query(`ALTER ROLE ${ident(billingRole)} PASSWORD NULL`));
    await provisionDatabase({
      admin,
      database: TEST_DATABASE,
      schemas: [orders, billing],
      rolePasswords: { [orderRole]: 'orders-own-password' },
    });
    expect(await accepts(orderRole, 'orders-own-password')).toBe(true);
    expect(await accepts(orderRole, 'another-password')).toBe(false);
    // Left out: the role keeps what it had (here, none).
    expect(await accepts(billingRole, 'orders-own-password')).toBe(false);

    await expect(
      provisionDatabase({
        admin,
        database: TEST_DATABASE,
        schemas: [orders, billing],
        rolePasswords: { [orderRole]: 'same', [billingRole]: 'same' },
      }),
    ).rejects.toThrow(`roles ${orderRole} and ${billingRole} have the same password`);
    await expect(
      provisionDatabase({
        admin,
        database: TEST_DATABASE,
        schemas: [orders],
        rolePasswords: { refinery_nobody: 'x' },
      }),
    ).rejects.toThrow('rolePasswords names roles that are not provisioned: refinery_nobody');
  });

  it('provisioned from the manifest, the read-only role reads no tenant, key or monitor table, and holds no other right', async () => {
    const manifest = join(findWorkspaceRoot(__dirname), 'deploy', 'services.json');
    const { sharedSchema, services } = readServicesManifest(manifest);
    const monitor = services.find((service) => !service.readableByRules)?.schema;
    expect([sharedSchema?.schema, monitor]).toEqual(['auth', 'quality']);
    // No password variables: the roles keep the passwords they have.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('REFINERY_DB_PASSWORD_')),
    );
    // Rights lent by a role it was made a member of, or an attribute, are taken back.
    await asAdmin((client) =>
      client.query(
        `GRANT pg_signal_backend TO ${READONLY_ROLE}; ALTER ROLE ${READONLY_ROLE} CREATEDB`,
      ),
    );
    await provisionFromManifest(manifest, {
      ...env,
      DATABASE_NAME: TEST_DATABASE,
      READONLY_SCHEMAS: '',
    });
    const role = await asAdmin(async (client) => {
      const { rows } = await client.query(
        `SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls,
                ARRAY(SELECT m.roleid::regrole::text FROM pg_auth_members m WHERE m.member = r.oid) AS member_of
           FROM pg_roles r WHERE r.rolname = $1`,
        [READONLY_ROLE],
      );
      return rows[0];
    });
    expect(role).toEqual({
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolbypassrls: false,
      member_of: [],
    });

    const monitorTables = await asAdmin(async (client) => {
      const result = await client.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'quality' ORDER BY tablename",
      );
      return result.rows.map((row) => `quality.${row.tablename}`);
    });
    const denied = [
      ...new Set(['auth.api_keys', 'auth.tenants', 'quality.record_states', ...monitorTables]),
    ];
    const outcomes = await withClient(
      { ...serviceConfig('ingestion'), user: READONLY_ROLE },
      async (client) => {
        const codes: Record<string, string> = {};
        for (const table of denied) {
          codes[table] = await client.query(`SELECT * FROM ${table} LIMIT 1`).then(
            () => 'allowed',
            (error: DatabaseError) => String(error.code),
          );
        }
        const usage = await client.query<{ schema: string; usage: boolean }>(
          `SELECT s AS schema, has_schema_privilege(s, 'USAGE') AS usage
             FROM unnest($1::text[]) AS s ORDER BY s`,
          [services.map((service) => service.schema)],
        );
        return { codes, usage: usage.rows };
      },
    );
    expect(outcomes.codes).toEqual(Object.fromEntries(denied.map((table) => [table, '42501'])));
    expect(outcomes.usage).toEqual(
      services
        .map((service) => ({ schema: service.schema, usage: service.readableByRules }))
        .sort((a, b) => a.schema.localeCompare(b.schema)),
    );
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
