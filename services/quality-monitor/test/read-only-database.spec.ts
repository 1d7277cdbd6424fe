import { adminConfigFromEnv, databaseConfigFromEnv, READONLY_ROLE } from '@refinery/persistence';
import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { ReadOnlyDatabase } from '../src/read-only/read-only-database';

const database = process.env.DATABASE_NAME ?? 'refinery_test';

describe('reads as the read-only role', () => {
  const db = new ReadOnlyDatabase({
    ...databaseConfigFromEnv('quality', { ...process.env, DATABASE_NAME: database }),
    user: READONLY_ROLE,
  });
  afterAll(() => db.onApplicationShutdown());

  it('leave nothing in the session for the next read: no lock, no setting', async () => {
    const key = randomInt(1, 2 ** 31 - 1);
    const first = await db.read(1_000, async (query) => {
      await query('SELECT pg_advisory_lock($1)', [key]);
      await query(`SELECT set_config('search_path', 'auth', false)`);
      const [row] = await query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      return row.pid;
    });
    const next = await db.read(1_000, async (query) => {
      const [row] = await query<{ pid: number; search_path: string }>(
        `SELECT pg_backend_pid() AS pid, current_setting('search_path') AS search_path`,
      );
      return row;
    });
    // The same connection, reset: the lock taken for the session is free for anyone else.
    expect(next).toEqual({ pid: first, search_path: '"$user", public' });
    const admin = new Client({ ...adminConfigFromEnv(), database });
    await admin.connect();
    try {
      const { rows } = await admin.query('SELECT pg_try_advisory_lock($1) AS taken', [key]);
      expect(rows).toEqual([{ taken: true }]);
    } finally {
      await admin.end();
    }
  });
});
