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
  /** Set on every service role when given; trust or peer authentication needs none. */
  rolePassword?: string;
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
        provisioned.push(await ensureSchema(target, database, schema, options.rolePassword));
      }
      const readonlyRoleCreated = await ensureReadOnlyRole(
        target,
        database,
        schemas,
        options.rolePassword,
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
  const login = password === undefined ? 'LOGIN' : `LOGIN PASSWORD ${literal(password)}`;
  await target.query(`${roleCreated ? 'CREATE' : 'ALTER'} ROLE ${ident(role)} WITH ${login}`);

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
 * The role the quality monitor's rules engine reads through: USAGE and SELECT on every
 * service schema, including tables migrations create later, and sessions read-only by default.
 */
async function ensureReadOnlyRole(
  target: Client,
  database: string,
  schemas: string[],
  password: string | undefined,
): Promise<boolean> {
  const role = ident(READONLY_ROLE);
  const found = await target.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [READONLY_ROLE]);
  const login = password === undefined ? 'LOGIN' : `LOGIN PASSWORD ${literal(password)}`;
  await target.query(`${found.rowCount ? 'ALTER' : 'CREATE'} ROLE ${role} WITH ${login}`);
  await target.query(`ALTER ROLE ${role} SET default_transaction_read_only = on`);
  await target.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${role}`);
  for (const schema of schemas) {
    await target.query(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${role}`);
    await target.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${ident(schema)} TO ${role}`);
    // Tables are created by the service's role, in its migrations.
    await target.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(serviceRole(schema))} IN SCHEMA ${ident(schema)} GRANT SELECT ON TABLES TO ${role}`,
    );
  }
  return !found.rowCount;
}

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
