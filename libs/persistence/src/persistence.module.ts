import { HealthRegistry } from '@refinery/observability';
import {
  DynamicModule,
  Global,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';

import { DatabaseConfig, databaseConfigFromEnv } from './config/database-config';
import { createDataSource, EntityList, MigrationList } from './data-source/create-data-source';
import { runMigrations } from './data-source/run-migrations';

export interface PersistenceOptions {
  schema: string;
  entities: EntityList;
  migrations: MigrationList;
  /** Defaults to `databaseConfigFromEnv(schema)`. */
  config?: DatabaseConfig;
  poolSize?: number;
}

/** Closes the pool after `beforeApplicationShutdown` hooks (consumers draining) are done. */
@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * The service's connected, migrated DataSource, reported as `postgres` on `/health/ready`.
 * Needs ObservabilityModule, which provides the HealthRegistry.
 */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        {
          provide: DataSource,
          inject: [HealthRegistry],
          useFactory: (health: HealthRegistry) => connect(options, health),
        },
        DataSourceCloser,
      ],
      exports: [DataSource],
    };
  }
}

async function connect(options: PersistenceOptions, health: HealthRegistry): Promise<DataSource> {
  const logger = new Logger('Persistence');
  const dataSource = createDataSource({
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    config: options.config ?? databaseConfigFromEnv(options.schema),
    poolSize: options.poolSize,
  });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource, logger);
    if (applied.length === 0) logger.log(`schema ${options.schema} is up to date`);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  health.register({
    name: 'postgres',
    check: async () => {
      await dataSource.query('SELECT 1');
    },
  });
  return dataSource;
}
