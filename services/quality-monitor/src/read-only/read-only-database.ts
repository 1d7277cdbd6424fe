import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DatabaseConfig } from '@refinery/persistence';
import { problemFor, ProblemException } from '@refinery/runtime';
import { DatabaseError, Pool, type PoolClient } from 'pg';

export const READONLY_DATABASE = Symbol('READONLY_DATABASE');

export type Query = <T = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

/** Statement ran past its timeout (57014, query_canceled). */
export const isTimeout = (error: unknown) =>
  error instanceof DatabaseError && error.code === '57014';

/**
 * Other services' schemas, read as the read-only role: every read is a READ ONLY transaction
 * with a statement timeout, and the session is reset after it, so a check can neither write,
 * hold a connection for long, nor leave anything behind for the next one.
 */
@Injectable()
export class ReadOnlyDatabase implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(@Inject(READONLY_DATABASE) private readonly config: DatabaseConfig) {
    this.pool = new Pool({
      ...config,
      max: 4,
      idleTimeoutMillis: 30_000,
      application_name: 'refinery:quality-readonly',
    });
    // An idle connection the server dropped must not take the process down.
    this.pool.on('error', () => undefined);
  }

  /** One snapshot for everything `work` reads; nothing it does is kept. */
  async read<T>(timeoutMs: number, work: (query: Query) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      return await work(async (sql, params) => (await client.query(sql, params)).rows);
    } finally {
      // Whatever a statement left in the session (a lock, a setting, a cursor) goes with it.
      await client
        .query('ROLLBACK')
        .then(() => client.query('DISCARD ALL'))
        .catch(() => (broken = true));
      client.release(broken);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw new ProblemException(
        problemFor(
          503,
          `cannot connect as ${this.config.user}, the read-only role (is the database provisioned?): ${(error as Error).message}`,
        ),
      );
    }
  }
}
