import './instrument';
import { Logger } from '@nestjs/common';
import { ConfigError, createServiceApp, loadConfig, startServiceApp } from '@refinery/runtime';
import { AppModule } from './app.module';
import { LearningConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(LearningConfigSchema);
  const app = await createServiceApp({
    name: 'learning',
    module: AppModule.forRoot(config),
    description:
      'Feedback, corrections and call transcripts about enriched records, turned into approved, de-duplicated learnings.',
    logLevel: config.LOG_LEVEL,
  });
  const port = await startServiceApp(app, config.PORT, config.HOST);
  new Logger('learning').log(`listening on ${config.HOST}:${port}`);
}

main().catch((err: unknown) => {
  // A configuration error is the operator's to fix: its message names every bad variable.
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
