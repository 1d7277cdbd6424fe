import './instrument';
import { Logger } from '@nestjs/common';
import { ConfigError, createServiceApp, loadConfig, startServiceApp } from '@refinery/runtime';
import { AppModule } from './app.module';
import { IngestionConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(IngestionConfigSchema);
  const app = await createServiceApp({
    name: 'ingestion',
    module: AppModule.forRoot(config),
    description:
      'Takes orders, delivery exceptions and call transcripts in over HTTP and NATS, stores them and announces them; orders and exceptions are enriched.',
    bodyLimit: config.INGEST_MAX_BODY,
    logLevel: config.LOG_LEVEL,
  });
  const port = await startServiceApp(app, config.PORT, config.HOST);
  new Logger('ingestion').log(`listening on ${config.HOST}:${port}`);
}

main().catch((err: unknown) => {
  // A configuration error is the operator's to fix: its message names every bad variable.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
