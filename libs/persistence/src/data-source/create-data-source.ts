import { DataSource, DataSourceOptions } from 'typeorm';

import { DatabaseConfig } from '../config/database-config';
import { assertIdentifier } from '../sql/identifiers';
import { TypeOrmLogger } from './typeorm-logger';

export type EntityList = NonNullable<DataSourceOptions['entities']>;
export type MigrationList = NonNullable<DataSourceOptions['migrations']>;

export interface DataSourceSettings {
  /** The schema the service owns: its tables and its `migrations` table live there. */
  schema: string;
  entities: EntityList;
  migrations: MigrationList;
  config: DatabaseConfig;
  poolSize?: number;
}

const SLOW_QUERY_MS = 1000;

/** A DataSource confined to one schema. Not yet connected: call `initialize()`. */
export function createDataSource(settings: DataSourceSettings): DataSource {
  const schema = assertIdentifier(settings.schema, 'schema');
  const { config } = settings;
  return new DataSource({
    type: 'postgres',
    host: config.host,
    port: config.port,
    database: config.database,
    username: config.user,
    password: config.password,
    schema,
    entities: settings.entities,
    migrations: settings.migrations,
    migrationsTransactionMode: 'each',
    // Tables change only through reviewed migrations, never from entity metadata.
    synchronize: false,
    migrationsRun: false,
    // Extensions are created once by provisioning; the service role may not create them.
    installExtensions: false,
    poolSize: settings.poolSize,
    applicationName: `refinery:${schema}`,
    logger: new TypeOrmLogger(schema),
    maxQueryExecutionTime: SLOW_QUERY_MS,
    // Unqualified names in raw SQL resolve to the service's schema; `public` holds extension types such as vector.
    extra: { options: `-c search_path=${schema},public` },
  });
}

/** The schema a DataSource from `createDataSource` is confined to. */
export function schemaOf(dataSource: DataSource): string {
  const { options } = dataSource;
  if (options.type !== 'postgres' || options.schema === undefined) {
    throw new Error('expected a Postgres DataSource with a schema, as createDataSource makes');
  }
  return options.schema;
}
