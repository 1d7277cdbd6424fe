import { DataSource } from 'typeorm';
import { adminConfigFromEnv, describeDatabaseError } from '../src';

describe('errors Postgres raises for what the input holds', () => {
  let db: DataSource;
  beforeAll(async () => {
    const config = adminConfigFromEnv();
    db = new DataSource({
      type: 'postgres',
      host: config.host,
      port: config.port,
      username: config.user,
      password: config.password,
      database: process.env.DATABASE_NAME ?? 'refinery_test',
    });
    await db.initialize();
  });
  afterAll(() => db.destroy());

  const failure = (sql: string, params: unknown[]) =>
    db.query(sql, params).then(
      () => undefined,
      (error: unknown) => error,
    );

  it('are input errors, each with its SQLSTATE', async () => {
    const nul = await failure(`SELECT ($1::json)->>'a'`, ['{"a":"x\\u0000"}']);
    const text = await failure(`SELECT $1::text`, ['x\u0000']);
    const surrogate = await failure(`SELECT ($1::json)->>'a'`, ['{"a":"\\ud800"}']);
    const year0 = await failure(`SELECT $1::timestamptz`, ['0000-01-01T00:00:00Z']);
    expect(describeDatabaseError(nul)).toMatchObject({ kind: 'input', code: '22P05' });
    expect(describeDatabaseError(text)).toMatchObject({ kind: 'input', code: '22021' });
    expect(describeDatabaseError(surrogate)).toMatchObject({ kind: 'input', code: '22P02' });
    expect(describeDatabaseError(year0)).toMatchObject({ kind: 'input', code: '22008' });
  });
});
