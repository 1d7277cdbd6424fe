import { Client, escapeIdentifier as ident, escapeLiteral as literal } from 'pg';

import { DatabaseConfig } from '../config/database-config';
import { assertIdentifier, READONLY_ROLE, readerRole, serviceRole } from '../sql/identifiers';

export interface ProvisionOptions {
  /** A superuser; `admin.database` (normally `postgres`) is where databases are looked up. */
  admin: DatabaseConfig;
  database: string;
  schemas: string[];
  /** Created in `public`, e.g. `vector`; needs the superuser. */
  extensions?: string[];
  /**
   * A password per role (`refinery_<schema>`, `refinery_<schema>_reader`, `refinery_readonly`),
   * set each run; a role left out keeps the one it has. Trust or peer authentication needs none.
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
  /**
   * Schemas of `schemas` that get a read-only login role of their own, `refinery_<schema>_reader`
   * (a dashboard's datasource): USAGE and SELECT on that schema, tables made later included,
   * and nothing else. A schema left out takes back what such a role was granted on it.
   */
  readers?: string[];
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
  readers: { schema: string; role: string; roleCreated: boolean }[];
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
  const readers = [...new Set(options.readers ?? [])];
  const strangers = readers.filter((schema) => !schemas.includes(schema));
  if (strangers.length > 0)
    throw new Error(`readers names schemas that are not provisioned: ${strangers.join(', ')}`);
  // A schema given twice is one role; two names making one role is a mistake.
  const roles = [...new Set(schemas)].map(serviceRole);
  roles.push(...readers.map(readerRole), READONLY_ROLE);
  const clash = roles.find((role, i) => roles.indexOf(role) !== i);
  if (clash) throw new Error(`two roles would be named ${clash}: rename a schema`);
  const passwords = checkPasswords(options.rolePasswords ?? {}, roles);

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
      const readerRoles: ProvisionResult['readers'] = [];
      for (const schema of readers) {
        const role = readerRole(schema);
        const roleCreated = await ensureReaderRole(target, database, schema, passwords[role]);
        readerRoles.push({ schema, role, roleCreated });
      }
      await retireReaderRoles(
        target,
        schemas.filter((schema) => !readers.includes(schema)),
      );
      return {
        database,
        databaseCreated,
        schemas: provisioned,
        readonlyRoleCreated,
        readers: readerRoles,
      };
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
  await grantConnect(target, database, ident(role));
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
  const created = await ensureReadingLogin(target, database, READONLY_ROLE, password);
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
  return created;
}

/**
 * A schema's own reader: USAGE on it, SELECT on its tables, partitions and views, those its
 * service's migrations and partition function make later too, and nothing else (no sequence,
 * no other schema, not the shared one). Sessions are read-only by default.
 */
async function ensureReaderRole(
  target: Client,
  database: string,
  schema: string,
  password: string | undefined,
): Promise<boolean> {
  const role = ident(readerRole(schema));
  const owner = ident(serviceRole(schema));
  const created = await ensureReadingLogin(target, database, readerRole(schema), password);
  await target.query(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${role}`);
  await target.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${ident(schema)} TO ${role}`);
  await target.query(
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${ident(schema)} GRANT SELECT ON TABLES TO ${role}`,
  );
  return created;
}

/**
 * Readers no longer asked for keep no right on their schema. Their login stays: roles belong to
 * the whole server, and another database (a clone's, a benchmark's) may still want them.
 */
async function retireReaderRoles(target: Client, schemas: string[]): Promise<void> {
  // Named as readerRole names them, unchecked: a name too long for a role matches none.
  const names = schemas.map((schema) => `${serviceRole(schema)}_reader`);
  const { rows } = await target.query<{ rolname: string }>(
    'SELECT rolname FROM pg_roles WHERE rolname = ANY($1)',
    [names],
  );
  for (const { rolname } of rows) {
    const name = schemas[names.indexOf(rolname)];
    const [schema, role, owner] = [ident(name), ident(rolname), ident(serviceRole(name))];
    await target.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${role}`);
    await target.query(`REVOKE USAGE ON SCHEMA ${schema} FROM ${role}`);
    await target.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} REVOKE SELECT ON TABLES FROM ${role}`,
    );
  }
}

/**
 * A login role with no attribute and no membership beyond what is granted here, whose sessions
 * are read-only by default, that may connect to `database`. Returns whether it was created.
 */
async function ensureReadingLogin(
  target: Client,
  database: string,
  name: string,
  password: string | undefined,
): Promise<boolean> {
  const role = ident(name);
  const found = await target.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  await target.query(
    `${found.rowCount ? 'ALTER' : 'CREATE'} ROLE ${role} WITH ${login(password)} ${UNPRIVILEGED}`,
  );
  // Membership of another role (pg_signal_backend, pg_read_server_files, pg_read_all_data, ...)
  // would lend it rights a reader must not have: signalling backends, reading server files.
  const memberships = await target.query<{ granted: string }>(
    `SELECT m.roleid::regrole::text AS granted FROM pg_auth_members m
      WHERE m.member = $1::regrole`,
    [name],
  );
  for (const { granted } of memberships.rows)
    await target.query(`REVOKE ${granted} FROM ${role} CASCADE`);
  await target.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
  await grantConnect(target, database, role);
  return !found.rowCount;
}

/**
 * GRANT CONNECT rewrites the database's catalog row, which a VACUUM anywhere in that database
 * also updates (in place, its frozen xid): on PostgreSQL 15 the GRANT then fails with "tuple
 * concurrently updated". The grant is idempotent, so it is simply sent again.
 */
async function grantConnect(target: Client, database: string, role: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await target.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${role}`);
      return;
    } catch (error) {
      const raced = error instanceof Error && error.message === 'tuple concurrently updated';
      if (!raced || attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
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
