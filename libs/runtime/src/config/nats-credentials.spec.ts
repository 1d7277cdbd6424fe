import { ConfigError, BaseConfigSchema, loadConfig } from './load-config';
import { natsCredentialsOf } from './nats-credentials';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(BaseConfigSchema, env);
    return [];
  } catch (error) {
    return error instanceof ConfigError ? error.problems : [String(error)];
  }
};

describe('NATS credentials in the configuration', () => {
  it('are optional: a server without authentication needs none', () => {
    expect(natsCredentialsOf(loadConfig(BaseConfigSchema, {}))).toEqual({});
  });

  it('take a user and password together', () => {
    const config = loadConfig(BaseConfigSchema, { NATS_USER: 'ingestion', NATS_PASSWORD: 'pw' });
    expect(natsCredentialsOf(config)).toMatchObject({ user: 'ingestion', password: 'pw' });
  });

  it('name the missing half of a user and password, with every other problem', () => {
    expect(problemsOf({ NATS_USER: 'ingestion', LOG_LEVEL: 'loud' })).toEqual([
      expect.stringMatching(/^LOG_LEVEL: /),
      'NATS_USER, NATS_PASSWORD: set both or neither',
    ]);
    expect(problemsOf({ NATS_PASSWORD: 'pw' })).toEqual([
      'NATS_USER, NATS_PASSWORD: set both or neither',
    ]);
  });

  it('refuse two ways to log in at once, and a creds file that is not there', () => {
    expect(problemsOf({ NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_CREDS: __filename })).toEqual([
      expect.stringMatching(/choose one way to log in/),
    ]);
    expect(problemsOf({ NATS_CREDS: '/nowhere/service.creds' })).toEqual([
      'NATS_CREDS: no such file',
    ]);
  });
});
