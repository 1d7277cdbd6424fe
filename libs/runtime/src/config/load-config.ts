import { z } from 'zod';
import { AuthConfigSchema } from '../auth/auth-config';
import { natsCredentialProblems, NatsCredentialsConfigSchema } from './nats-credentials';

/** Thrown at start when environment variables are missing or malformed; names every one. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const STREAM_REPLICAS_ERROR =
  'must be a whole number from 1 to 5 (or unset: as many as the NATS cluster has servers, at most 3)';

/** Settings every service reads. Services extend this with their own. */
export const BaseConfigSchema = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  /** Copies JetStream keeps of each stream; unset: one per server of the cluster, at most 3. */
  NATS_STREAM_REPLICAS: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ error: STREAM_REPLICAS_ERROR })
      .int({ error: STREAM_REPLICAS_ERROR })
      .min(1, { error: STREAM_REPLICAS_ERROR })
      .max(5, { error: STREAM_REPLICAS_ERROR })
      .optional(),
  ),
  ...NatsCredentialsConfigSchema.shape,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** The address HTTP listens on; 0.0.0.0 only where something in front guards it (compose, Kubernetes). */
  HOST: z.string().min(1).default('127.0.0.1'),
  ...AuthConfigSchema.shape,
});

/** Validates the environment once, at start. */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  if ('NATS_USER' in schema.shape) problems.push(...natsCredentialProblems(env));
  if (result.success && problems.length === 0) return result.data;
  throw new ConfigError(problems);
}

/** Reads a port number from the environment, with a clear error for junk. */
export const portVar = (fallback: number) =>
  z.coerce.number().int().min(0).max(65_535).default(fallback);
