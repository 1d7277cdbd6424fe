import type { NatsCredentials } from '@refinery/messaging';
import { existsSync } from 'node:fs';
import { z } from 'zod';

const file = z.string().min(1).refine(existsSync, 'no such file');

/** The service's NATS user (deploy/nats): a user and password, a creds file, or an nkey seed file. */
export const NatsCredentialsConfigSchema = z.object({
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  /** Path to a `.creds` file (user JWT and nkey seed). */
  NATS_CREDS: file.optional(),
  /** Path to a file holding a user nkey seed. */
  NATS_NKEY_SEED: file.optional(),
});

export type NatsCredentialsConfig = z.infer<typeof NatsCredentialsConfigSchema>;

/** What the schema cannot say field by field: the ways to log in exclude each other. */
export function natsCredentialProblems(env: NodeJS.ProcessEnv): string[] {
  const set = (key: string) => env[key] !== undefined && env[key] !== '';
  const problems: string[] = [];
  if (set('NATS_USER') !== set('NATS_PASSWORD')) {
    problems.push('NATS_USER, NATS_PASSWORD: set both or neither');
  }
  const ways = [set('NATS_USER') || set('NATS_PASSWORD'), set('NATS_CREDS'), set('NATS_NKEY_SEED')];
  if (ways.filter(Boolean).length > 1) {
    problems.push(
      'NATS_USER/NATS_PASSWORD, NATS_CREDS, NATS_NKEY_SEED: choose one way to log in to NATS',
    );
  }
  return problems;
}

export const natsCredentialsOf = (config: NatsCredentialsConfig): NatsCredentials => ({
  user: config.NATS_USER,
  password: config.NATS_PASSWORD,
  credsFile: config.NATS_CREDS,
  nkeySeedFile: config.NATS_NKEY_SEED,
});
