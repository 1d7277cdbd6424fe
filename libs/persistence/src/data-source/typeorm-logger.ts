import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from 'typeorm';

/**
 * Sends what TypeORM has to say through the Nest logger, so it comes out as JSON lines
 * like everything else instead of on TypeORM's console.
 */
export class TypeOrmLogger implements Logger {
  private readonly logger: NestLogger;

  constructor(schema: string) {
    this.logger = new NestLogger(`TypeORM:${schema}`);
  }

  // Queries are traced as spans by the pg instrumentation, and a failed query's error
  // reaches its caller, which decides whether it matters: logging either here is noise.
  logQuery(): void {}

  logQueryError(): void {}

  // runMigrations reports what it applied; TypeORM's running commentary adds nothing.
  logSchemaBuild(): void {}

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ msg: 'slow query', duration_ms: time, query });
  }

  logMigration(message: string): void {
    this.logger.warn(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.log(String(message));
  }
}
