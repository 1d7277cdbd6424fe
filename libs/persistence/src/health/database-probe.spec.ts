import {
  DatabaseProbe,
  databaseOutage,
  registerDatabaseCheck,
  type Queryable,
} from './database-probe';

/** A DataSource whose `SELECT 1` answers as the test says, counting the queries sent. */
function database() {
  const db = {
    isInitialized: true,
    queries: 0,
    answer: (): Promise<unknown> => Promise.resolve([{ '?column?': 1 }]),
    query(): Promise<unknown> {
      db.queries++;
      return db.answer();
    },
  };
  return db satisfies Queryable;
}

const refused = () =>
  Promise.reject(
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5499'), { code: 'ECONNREFUSED' }),
  );
const never = () => new Promise<unknown>(() => undefined);

describe('DatabaseProbe', () => {
  it('says nothing while the database answers, and why not once it does not', async () => {
    const db = database();
    const probe = new DatabaseProbe(db);
    expect(await probe.problem()).toBeUndefined();
    db.answer = refused;
    expect(await probe.problem()).toBe(
      'the database is unavailable: connect ECONNREFUSED 127.0.0.1:5499',
    );
    await expect(probe.check()).rejects.toThrow(/ECONNREFUSED/);
    db.isInitialized = false;
    expect(await probe.problem()).toBe('the database connection is closed');
  });

  it('gives up on a database that does not answer, without piling up queries', async () => {
    const db = database();
    db.answer = never;
    const probe = new DatabaseProbe(db, { timeoutMs: 100 });
    const started = Date.now();
    const answers = await Promise.all([probe.problem(), probe.problem(), probe.problem()]);
    expect(answers).toEqual(Array(3).fill('the database did not answer within 100 ms'));
    expect(Date.now() - started).toBeLessThan(1_000);
    // Asked again while the first query hangs: it waits on that one, sending no other.
    expect(await probe.problem()).toBe('the database did not answer within 100 ms');
    expect(db.queries).toBe(1);
  });

  it('sends another query once a hanging one is old enough to give up on', async () => {
    const db = database();
    db.answer = never;
    const probe = new DatabaseProbe(db, { timeoutMs: 50, abandonAfterMs: 100 });
    await probe.problem();
    await new Promise((resolve) => setTimeout(resolve, 150));
    db.answer = () => Promise.resolve([]);
    expect(await probe.problem()).toBeUndefined();
    expect(db.queries).toBe(2);
  });

  it('shares an answer only with callers that can take one that old', async () => {
    const db = database();
    const probe = new DatabaseProbe(db);
    await probe.problem();
    expect(await probe.problem(Date.now() - 60_000)).toBeUndefined();
    expect(db.queries).toBe(1);
    // A failure seen after that answer: only a new query can say the database is back.
    db.answer = refused;
    expect(await probe.problem(Date.now() + 1)).toMatch(/ECONNREFUSED/);
    expect(db.queries).toBe(2);
  });
});

describe('databaseOutage', () => {
  it('names what a registered database says, until it is taken off', async () => {
    expect(await databaseOutage()).toBeUndefined();
    const down = registerDatabaseCheck({ problem: () => Promise.resolve('down for maintenance') });
    const up = registerDatabaseCheck({ problem: () => Promise.resolve(undefined) });
    expect(await databaseOutage()).toBe('down for maintenance');
    down();
    expect(await databaseOutage()).toBeUndefined();
    up();
  });
});
