import './instrument';
import { Logger } from '@nestjs/common';
import { ConfigError, createServiceApp, loadConfig, startServiceApp } from '@refinery/runtime';
import { AppModule } from './app.module';
import { QualityConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(QualityConfigSchema);
  const app = await createServiceApp({
    name: 'quality-monitor',
    module: AppModule.forRoot(config),
    description:
      'Knows where every record stands in enrichment: completeness, backlog, failure rate and quality per tenant.',
    logLevel: config.LOG_LEVEL,
  });
  const port = await startServiceApp(app, config.PORT, config.HOST);
  new Logger('quality-monitor').log(`listening on ${config.HOST}:${port}`);
}

main().catch((err: unknown) => {
  // A configuration error is the operator's to fix: its message names every bad variable.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
