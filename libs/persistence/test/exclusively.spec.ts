import type { DataSource } from 'typeorm';

import { createDataSource, exclusively } from '../src';
import { dropSchemas, provisionSchemas, serviceConfig, uniqueName } from './test-database';

/** Two replicas of one service: each its own pool, as two processes have. */
describe('exclusively: a scheduled round run by one replica at a time', () => {
  const schema = uniqueName('rounds');
  const replicas: DataSource[] = [];
  const key = `${schema}:sweep`;

  beforeAll(async () => {
    await provisionSchemas(schema);
    for (const _ of [1, 2])
      replicas.push(
        await createDataSource({
          schema,
          entities: [],
          migrations: [],
          config: serviceConfig(schema),
        }).initialize(),
      );
  });
  afterAll(async () => {
    await Promise.all(replicas.map((db) => db.destroy()));
    await dropSchemas(schema);
  });

  /** A task that runs until `finish` is called, and says when it started. */
  function held() {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    return {
      finish,
      running,
      task: async () => {
        started();
        await done;
        return 'ran';
      },
    };
  }

  it('skips the round in the other replica while one runs it, and runs it once that ended', async () => {
    const [a, b] = replicas;
    const first = held();
    const inA = exclusively(a, key, first.task)();
    await first.running;
    let ranInB = 0;
    const roundInB = exclusively(b, key, async () => ++ranInB);

    expect(await roundInB()).toBeUndefined();
    expect(ranInB).toBe(0);

    first.finish();
    expect(await inA).toBe('ran');
    expect(await roundInB()).toBe(1);
  });

  it('lets go of the round when it fails', async () => {
    const [a, b] = replicas;
    await expect(
      exclusively(a, key, async () => {
        throw new Error('the database went away');
      })(),
    ).rejects.toThrow('the database went away');
    expect(await exclusively(b, key, async () => 'ran')()).toBe('ran');
  });

  it('does not hold back another round', async () => {
    const [a, b] = replicas;
    const sweep = held();
    const inA = exclusively(a, key, sweep.task)();
    await sweep.running;
    expect(await exclusively(b, `${schema}:alerts`, async () => 'ran')()).toBe('ran');
    sweep.finish();
    await inA;
  });

  it('lets go of the round when the connection holding it is lost', async () => {
    const [a, b] = replicas;
    const round = held();
    const inA = exclusively(a, key, round.task)().catch((error: Error) => error);
    await round.running;
    expect(await exclusively(b, key, async () => 'ran')()).toBeUndefined();

    // The backend holding the lock goes, as when its process dies or its network fails.
    const [{ terminated }] = await b.query(
      `SELECT bool_and(pg_terminate_backend(l.pid, 5000)) AS terminated
         FROM pg_locks l, hashtextextended($1, 0) AS k
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.classid::bigint = (k >> 32) & 4294967295 AND l.objid::bigint = k & 4294967295`,
      [key],
    );
    expect(terminated).toBe(true);
    expect(await exclusively(b, key, async () => 'ran')()).toBe('ran');
    round.finish();
    await inA;
  });
});
