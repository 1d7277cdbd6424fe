import { Client, escapeIdentifier as ident, escapeLiteral as literal } from 'pg';

import { DatabaseConfig } from '../config/database-config';
import { assertIdentifier, READONLY_ROLE, serviceRole } from '../sql/identifiers';

export interface ProvisionOptions {
  /** A superuser; `admin.database` (normally `postgres`) is where databases are looked up. */
  admin: DatabaseConfig;
  database: string;
  schemas: string[];
  /** Created in `public`, e.g. `vector`; needs the superuser. */
  extensions?: string[];
  /**
   * A password per role (`refinery_<schema>`, `refinery_readonly`), set each run; a role left
   * out keeps the one it has. Trust or peer authentication needs none.
   */
  rolePasswords?: Readonly<Record<string, string>>;
  /**
   * A schema every service reads and one service writes: tenants and API keys. Its owner is
   * the role of `ownerSchema`, whose migrations create its tables.
   */
  shared?: { schema: string; ownerSchema: string };
  /**
   * What the read-only role (the rules engine) may read; defaults to every schema in
   * `schemas`. The shared schema is never readable by it.
   */
  readableSchemas?: string[];
}

export interface SchemaProvision {
  schema: string;
  role: string;
  roleCreated: boolean;
  schemaCreated: boolean;
}

export interface ProvisionResult {
  database: string;
  databaseCreated: boolean;
  schemas: SchemaProvision[];
  readonlyRoleCreated: boolean;
}

const EXTENSION = /^[a-z][a-z0-9_-]*$/;
// Held for the whole run, so two processes provisioning at once take turns.
const PROVISION_LOCK = 'refinery:provision';

/**
 * Creates what is missing and leaves the rest: the database, its extensions, and per
 * schema a login role `refinery_<schema>` owning that schema and nothing else.
 */
export async function provisionDatabase(options: ProvisionOptions): Promise<ProvisionResult> {
  const database = assertIdentifier(options.database, 'database');
  const schemas = options.schemas.map((schema) => assertIdentifier(schema, 'schema'));
  const extensions = (options.extensions ?? []).map(assertExtension);
  const passwords = checkPasswords(options.rolePasswords ?? {}, [
    ...schemas.map(serviceRole),
    READONLY_ROLE,
  ]);

  const server = await connect(options.admin, options.admin.database);
  try {
    await server.query('SELECT pg_advisory_lock(hashtext($1))', [PROVISION_LOCK]);
    const databaseCreated = await ensureDatabase(server, database);
    const target = await connect(options.admin, database);
    try {
      for (const extension of extensions) {
        await target.query(`CREATE EXTENSION IF NOT EXISTS ${ident(extension)} WITH SCHEMA public`);
      }
      // Already the default since PostgreSQL 15; older servers let every role create in public.
      await target.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
      const provisioned: SchemaProvision[] = [];
      for (const schema of schemas) {
        provisioned.push(
          await ensureSchema(target, database, schema, passwords[serviceRole(schema)]),
        );
      }
      if (options.shared) await ensureSharedSchema(target, options.shared, schemas);
      const readable = (options.readableSchemas ?? schemas).filter(
        (schema) => schema !== options.shared?.schema,
      );
      const readonlyRoleCreated = await ensureReadOnlyRole(
        target,
        database,
        schemas,
        readable.map((schema) => assertIdentifier(schema, 'readable schema')),
        passwords[READONLY_ROLE],
      );
      return { database, databaseCreated, schemas: provisioned, readonlyRoleCreated };
    } finally {
      await target.end();
    }
  } finally {
    // Closing the session also releases the advisory lock.
    await server.end();
  }
}

async function ensureDatabase(server: Client, database: string): Promise<boolean> {
  const existing = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (existing.rowCount) return false;
  await server.query(`CREATE DATABASE ${ident(database)}`);
  return true;
}

async function ensureSchema(
  target: Client,
  database: string,
  schema: string,
  password: string | undefined,
): Promise<SchemaProvision> {
  const role = serviceRole(schema);
  const roleFound = await target.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const roleCreated = !roleFound.rowCount;
  await target.query(
    `${roleCreated ? 'CREATE' : 'ALTER'} ROLE ${ident(role)} WITH ${login(password)}`,
  );

  const owner = await target.query<{ owner: string }>(
    'SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1',
    [schema],
  );
  const schemaCreated = !owner.rowCount;
  if (schemaCreated) {
    await target.query(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)} AUTHORIZATION ${ident(role)}`);
  } else if (owner.rows[0].owner !== role) {
    await target.query(`ALTER SCHEMA ${ident(schema)} OWNER TO ${ident(role)}`);
  }
  await target.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(role)}`);
  return { schema, role, roleCreated, schemaCreated };
}

/**
 * The shared schema (tenants and API keys): owned by one service's role, readable by every
 * service role, including tables its owner's migrations create later.
 */
async function ensureSharedSchema(
  target: Client,
  shared: { schema: string; ownerSchema: string },
  schemas: string[],
): Promise<void> {
  const schema = ident(assertIdentifier(shared.schema, 'shared schema'));
  const owner = ident(serviceRole(shared.ownerSchema));
  await target.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${owner}`);
  await target.query(`ALTER SCHEMA ${schema} OWNER TO ${owner}`);
  for (const reader of schemas.map((s) => ident(serviceRole(s)))) {
    await target.query(`GRANT USAGE ON SCHEMA ${schema} TO ${reader}`);
    await target.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${reader}`);
    await target.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT SELECT ON TABLES TO ${reader}`,
    );
  }
}

/**
 * The role the quality monitor's rules engine reads through: USAGE and SELECT on the
 * readable schemas, including tables migrations create later, and nothing on the others
 * (rights granted before are taken back). Sessions are read-only by default.
 */
async function ensureReadOnlyRole(
  target: Client,
  database: string,
  schemas: string[],
  readable: string[],
  password: string | undefined,
): Promise<boolean> {
  const role = ident(READONLY_ROLE);
  const found = await target.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [READONLY_ROLE]);
  await target.query(
    `${found.rowCount ? 'ALTER' : 'CREATE'} ROLE ${role} WITH ${login(password)} ${UNPRIVILEGED}`,
  );
  // Membership of another role (pg_signal_backend, pg_read_server_files, ...) would lend it
  // rights the rules engine must not have: signalling backends, reading server files.
  const memberships = await target.query<{ granted: string }>(
    `SELECT m.roleid::regrole::text AS granted FROM pg_auth_members m
      WHERE m.member = $1::regrole`,
    [READONLY_ROLE],
  );
  for (const { granted } of memberships.rows)
    await target.query(`REVOKE ${granted} FROM ${role} CASCADE`);
  await target.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
  await target.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${role}`);
  for (const schema of schemas) {
    const owner = ident(serviceRole(schema));
    // Tables are created by the service's role, in its migrations.
    if (readable.includes(schema)) {
      await target.query(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${role}`);
      await target.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${ident(schema)} TO ${role}`);
      await target.query(
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${ident(schema)} GRANT SELECT ON TABLES TO ${role}`,
      );
    } else {
      await target.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${ident(schema)} FROM ${role}`);
      await target.query(`REVOKE USAGE ON SCHEMA ${ident(schema)} FROM ${role}`);
      await target.query(
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${ident(schema)} REVOKE SELECT ON TABLES FROM ${role}`,
      );
    }
  }
  return !found.rowCount;
}

/** A password for a role that is not provisioned, or one two roles share, is a mistake. */
function checkPasswords(
  passwords: Readonly<Record<string, string>>,
  roles: string[],
): Readonly<Record<string, string>> {
  const unknown = Object.keys(passwords).filter((role) => !roles.includes(role));
  if (unknown.length > 0)
    throw new Error(`rolePasswords names roles that are not provisioned: ${unknown.join(', ')}`);
  const owners = new Map<string, string>();
  for (const [role, password] of Object.entries(passwords)) {
    const other = owners.get(password);
    if (other)
      throw new Error(`roles ${other} and ${role} have the same password: give each its own`);
    owners.set(password, role);
  }
  return passwords;
}

const UNPRIVILEGED = 'NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

const login = (password: string | undefined) =>
  password === undefined ? 'LOGIN' : `LOGIN PASSWORD ${literal(password)}`;

function assertExtension(name: string): string {
  if (!EXTENSION.test(name)) throw new Error(`extension "${name}" is not a valid extension name`);
  return name;
}

async function connect(admin: DatabaseConfig, database: string): Promise<Client> {
  const client = new Client({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
    database,
    application_name: 'refinery:provision',
  });
  await client.connect();
  return client;
}
