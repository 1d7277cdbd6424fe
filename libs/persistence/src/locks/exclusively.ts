import type { DataSource } from 'typeorm';

/**
 * `task` as run by one process at a time across every replica of a service: replicas share
 * their schedules, and a round one of them runs is skipped (undefined) by the others until it
 * ends. The lock is a Postgres advisory lock held by a connection of its own for the run, so
 * a process that dies mid-run lets go of it with its connection. `key` names the round in
 * the whole database (`<service>:<round>`), since every service shares it.
 */
export function exclusively<T>(
  db: DataSource,
  key: string,
  task: () => Promise<T>,
): () => Promise<T | undefined> {
  return async () => {
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }]: { locked: boolean }[] = await runner.query(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [key],
      );
      if (!locked) return undefined;
      try {
        return await task();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
      }
    } finally {
      await runner.release();
    }
  };
}
