import { Logger } from '@nestjs/common';
import { createDataSource, databaseConfigFromEnv } from '@refinery/persistence';
import {
  ConfigError,
  createServiceApp,
  loadConfig,
  startServiceApp,
  type ServiceModuleOptions,
} from '@refinery/runtime';
import { stageConfigSchema } from './config';
import type { StageDefinition } from './stage-definition';
import { schemaOfStage, StageModule } from './stage.module';

export interface StageServiceOptions {
  defaultPort: number;
  description: string;
  /** The service's migrations, as its data-source.ts lists them. */
  migrations: ServiceModuleOptions['migrations'];
}

/** The `main` of a stage service. */
export function runStageService(stage: StageDefinition, options: StageServiceOptions): void {
  const start = async () => {
    const config = loadConfig(stageConfigSchema(options.defaultPort));
    const app = await createServiceApp({
      name: stage.name,
      module: StageModule.forRoot(stage, config, { migrations: options.migrations }),
      description: options.description,
      logLevel: config.LOG_LEVEL,
    });
    const port = await startServiceApp(app, config.PORT, config.HOST);
    new Logger(stage.name).log(`listening on ${config.HOST}:${port}`);
  };
  start().catch((err: unknown) => {
    // A configuration error is the operator's to fix: its message names every bad variable.
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}

/** Used by `npm run migrate`; the running service gets its DataSource from PersistenceModule. */
export function stageDataSource(
  stage: StageDefinition,
  migrations: ServiceModuleOptions['migrations'],
) {
  const schema = schemaOfStage(stage);
  return createDataSource({
    schema,
    entities: [],
    migrations,
    config: databaseConfigFromEnv(schema),
  });
}
