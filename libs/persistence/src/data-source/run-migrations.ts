import { DataSource, MigrationExecutor } from 'typeorm';

import { schemaOf } from './create-data-source';

export interface MigrationLog {
  log(message: string): void;
}

/**
 * Applies pending migrations, each in its own transaction, and returns their names.
 * Replicas starting together take turns on an advisory lock, so each migration runs once.
 */
export async function runMigrations(
  dataSource: DataSource,
  logger?: MigrationLog,
): Promise<string[]> {
  const lockKey = `refinery:migrations:${schemaOf(dataSource)}`;
  const runner = dataSource.createQueryRunner('master');
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      // The executor runs on the connection holding the lock, so a pool of one suffices.
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      const applied = await executor.executePendingMigrations();
      for (const migration of applied) logger?.log(`applied migration ${migration.name}`);
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    await runner.release();
  }
}
