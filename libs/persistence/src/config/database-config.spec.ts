import { adminConfigFromEnv, databaseConfigFromEnv } from './database-config';

describe('database configuration from the environment', () => {
  it('connects as the schema role to the local refinery database by default', () => {
    expect(databaseConfigFromEnv('order_analysis', {})).toEqual({
      host: '127.0.0.1',
      port: 5432,
      database: 'refinery',
      user: 'refinery_order_analysis',
    });
  });

  it('takes every setting from the environment, ignoring empty ones', () => {
    const env = {
      DATABASE_HOST: 'db',
      DATABASE_PORT: '6543',
      DATABASE_NAME: 'refinery_test',
      DATABASE_USER: 'someone',
      DATABASE_PASSWORD: 's3cret',
      DATABASE_ADMIN_PASSWORD: '',
    };
    expect(databaseConfigFromEnv('learning', env)).toEqual({
      host: 'db',
      port: 6543,
      database: 'refinery_test',
      user: 'someone',
      password: 's3cret',
    });
    expect(adminConfigFromEnv(env)).toEqual({
      host: 'db',
      port: 6543,
      database: 'postgres',
      user: 'postgres',
    });
  });

  it("logs in with the role's own password variable unless DATABASE_PASSWORD is set", () => {
    const env = {
      REFINERY_DB_PASSWORD_ORDER_ANALYSIS: 'analysis-secret',
      REFINERY_DB_PASSWORD_READONLY: 'readonly-secret',
    };
    expect(databaseConfigFromEnv('order_analysis', env).password).toBe('analysis-secret');
    expect(databaseConfigFromEnv('classification', env).password).toBeUndefined();
    expect(
      databaseConfigFromEnv('order_analysis', { ...env, DATABASE_USER: 'refinery_readonly' }),
    ).toMatchObject({ user: 'refinery_readonly', password: 'readonly-secret' });
    expect(
      databaseConfigFromEnv('order_analysis', { ...env, DATABASE_PASSWORD: 'given' }).password,
    ).toBe('given');
  });

  it('names each bad variable', () => {
    expect(() =>
      databaseConfigFromEnv('learning', { DATABASE_PORT: 'five', DATABASE_HOST: '' }),
    ).toThrow(/invalid database configuration: DATABASE_PORT: /);
    expect(() => adminConfigFromEnv({ DATABASE_PORT: '70000' })).toThrow(/DATABASE_PORT: /);
    expect(() => databaseConfigFromEnv('Learning', {})).toThrow(
      'schema "Learning" is not a valid name',
    );
  });
});
