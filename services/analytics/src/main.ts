import './instrument';
import { Logger } from '@nestjs/common';
import { ConfigError, createServiceApp, loadConfig, startServiceApp } from '@refinery/runtime';
import { AppModule } from './app.module';
import { AnalyticsConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(AnalyticsConfigSchema);
  const app = await createServiceApp({
    name: 'analytics',
    module: AppModule.forRoot(config),
    description:
      'Behavioural events and orders in; cohorts, funnels, retention, attribution and experiments out.',
    logLevel: config.LOG_LEVEL,
  });
  const port = await startServiceApp(app, config.PORT, config.HOST);
  new Logger('analytics').log(`listening on ${config.HOST}:${port}`);
}

main().catch((err: unknown) => {
  // A configuration error is the operator's to fix: its message names every bad variable.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
