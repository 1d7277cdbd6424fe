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
import { DatabaseProbe, registerDatabaseCheck } from './health/database-probe';

/** Takes each DataSource's probe off the process-wide list when the DataSource closes. */
const unregister = new WeakMap<DataSource, () => void>();

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
    unregister.get(this.dataSource)?.();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * The service's connected, migrated DataSource, reported as `postgres` on `/health/ready`: not
 * ready while the database does not answer (a DatabaseProbe, so the probe cannot hang or pile
 * up queries), which the JetStream consumers also ask (`databaseOutage`) to tell an outage,
 * waited out, from a failure of their work. Needs ObservabilityModule (HealthRegistry).
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
  const probe = new DatabaseProbe(dataSource);
  health.register({
    name: 'postgres',
    check: () => probe.check(),
  });
  unregister.set(dataSource, registerDatabaseCheck(probe));
  return dataSource;
}
