import './instrument';
import { Logger } from '@nestjs/common';
import { ConfigError, createServiceApp, loadConfig, startServiceApp } from '@refinery/runtime';
import { AppModule } from './app.module';
import { DatasetsConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(DatasetsConfigSchema);
  const app = await createServiceApp({
    name: 'dataset-versioning',
    module: AppModule.forRoot(config),
    description:
      'Golden datasets of Refinery decisions: scored and tiered examples, content-addressed history with branches, labeling with measured agreement, exports.',
    logLevel: config.LOG_LEVEL,
  });
  const port = await startServiceApp(app, config.PORT, config.HOST);
  new Logger('dataset-versioning').log(`listening on ${config.HOST}:${port}`);
}

main().catch((err: unknown) => {
  // A configuration error is the operator's to fix: its message names every bad variable.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
