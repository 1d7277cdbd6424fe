import {
  adminConfigFromEnv,
  createDataSource,
  databaseConfigFromEnv,
  provisionDatabase,
  serviceRole,
  type MigrationList,
} from '@refinery/persistence';
import { escapeIdentifier as ident } from 'pg';
import type { DataSource } from 'typeorm';
import { adminClient } from './bench-database';
import { uniqueName } from './unique-name';

export interface ScratchSchema {
  schema: string;
  /** Connected as the scratch schema's own role, search_path set to it; nothing migrated. */
  dataSource: DataSource;
  /** Drops the schema and its role. */
  drop(): Promise<void>;
}

/**
 * A throwaway schema provisioned like a service's (its own role owns it) in the tests'
 * database, with `migrations` for the caller to run: for tests that must not touch a service's
 * shared schema, such as retention, which removes every tenant's old rows, or a rollback.
 */
export async function createScratchSchema(
  prefix: string,
  migrations: MigrationList,
): Promise<ScratchSchema> {
  const database = process.env.DATABASE_NAME ?? 'refinery_test';
  const schema = uniqueName(prefix);
  const role = serviceRole(schema);
  await provisionDatabase({ admin: adminConfigFromEnv(), database, schemas: [schema] });
  const dataSource = await createDataSource({
    schema,
    entities: [],
    migrations,
    config: databaseConfigFromEnv(schema, {
      ...process.env,
      DATABASE_NAME: database,
      DATABASE_USER: undefined,
    }),
  }).initialize();
  return {
    schema,
    dataSource,
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      const admin = await adminClient(database);
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
        await admin.query(`DROP OWNED BY ${ident(role)} CASCADE`);
        await admin.query(`DROP ROLE IF EXISTS ${ident(role)}`);
      } finally {
        await admin.end();
      }
    },
  };
}
