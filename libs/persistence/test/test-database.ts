import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier as ident } from 'pg';

import {
  adminConfigFromEnv,
  DatabaseConfig,
  databaseConfigFromEnv,
  provisionDatabase,
  ProvisionResult,
  serviceRole,
} from '../src';

/** Integration tests share this database; each works in schemas and roles of its own. */
export const TEST_DATABASE = process.env.DATABASE_NAME ?? 'refinery_test';
export const admin = adminConfigFromEnv();

export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(5).toString('hex')}`;

export function provisionSchemas(...schemas: string[]): Promise<ProvisionResult> {
  return provisionDatabase({ admin, database: TEST_DATABASE, schemas, extensions: ['vector'] });
}

/** How the service owning `schema` connects: as its own role. */
export function serviceConfig(schema: string): DatabaseConfig {
  return databaseConfigFromEnv(schema, {
    ...process.env,
    DATABASE_NAME: TEST_DATABASE,
    DATABASE_USER: undefined,
  });
}

export async function withClient<T>(
  config: DatabaseConfig,
  run: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ ...config });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export const asAdmin = <T>(
  run: (client: Client) => Promise<T>,
  database = TEST_DATABASE,
): Promise<T> => withClient({ ...admin, database }, run);

/** Removes the schemas a test provisioned, with their roles. */
export async function dropSchemas(...schemas: string[]): Promise<void> {
  await asAdmin(async (client) => {
    for (const schema of schemas) {
      const role = serviceRole(schema);
      await client.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (!found.rowCount) continue;
      await client.query(`DROP OWNED BY ${ident(role)} CASCADE`);
      await client.query(`DROP ROLE ${ident(role)}`);
    }
  });
}

/** Removes login roles a test made that own nothing (readers), with what they were granted. */
export async function dropRoles(...roles: string[]): Promise<void> {
  await asAdmin(async (client) => {
    for (const role of roles) {
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (!found.rowCount) continue;
      await client.query(`DROP OWNED BY ${ident(role)} CASCADE`);
      await client.query(`DROP ROLE ${ident(role)}`);
    }
  });
}

export async function tablesIn(schema: string): Promise<string[]> {
  return asAdmin(async (client) => {
    const result = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    return result.rows.map((row) => row.table_name);
  });
}
