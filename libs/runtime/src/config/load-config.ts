import { STREAMS, type StreamLimits, type StreamName } from '@refinery/contracts';
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

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
};
/** `4MiB`, `512M`, `2Gi`, `1GB`, `1048576`: a suffix is a power of 1024, as in nats-server's own configuration. */
const SIZE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b|i)?|b)?$/i;
const NONE = /^(-1|none|unlimited)$/i;

/** A byte size from the environment: `4MiB`, `2GiB`, a number of bytes. */
export function parseBytes(text: string): number {
  const match = SIZE.exec(text.trim());
  const bytes = match
    ? Math.round(Number(match[1]) * BYTE_UNITS[(match[2] ?? '').toLowerCase()])
    : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new Error(`"${text}" is not a size like 512KiB, 4MiB, 2GiB or a number of bytes`);
  return bytes;
}

/** An optional setting: unset or empty leaves the default in force. */
const optionalVar = <T>(parse: (text: string) => T) =>
  z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined) return undefined;
        try {
          return parse(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
  );

/** A stream limit: a size or a count, or -1 / none / unlimited for no limit at all. */
const limitVar = (kind: 'size' | 'count') =>
  optionalVar((text) => {
    if (NONE.test(text.trim())) return -1;
    if (kind === 'size') return parseBytes(text);
    const count = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
    if (!Number.isSafeInteger(count) || count < 1)
      throw new Error(`"${text}" is not a whole number of messages, or -1 / none for no limit`);
    return count;
  });

const LIMIT_VARIABLES = {
  MAX_BYTES: ['maxBytes', 'size'],
  MAX_MSGS: ['maxMsgs', 'count'],
  MAX_MSG_SIZE: ['maxMsgSize', 'size'],
} as const satisfies Record<string, [keyof StreamLimits, 'size' | 'count']>;

/** NATS_STREAM_RECORDS_MAX_BYTES and the like: one per stream and limit. */
export type StreamLimitVariable = `NATS_STREAM_${StreamName}_${keyof typeof LIMIT_VARIABLES}`;

const streamLimitVariables = Object.fromEntries(
  (Object.keys(STREAMS) as StreamName[]).flatMap((stream) =>
    Object.entries(LIMIT_VARIABLES).map(([suffix, [, kind]]) => [
      `NATS_STREAM_${stream}_${suffix}`,
      limitVar(kind),
    ]),
  ),
) as Record<StreamLimitVariable, ReturnType<typeof limitVar>>;

/** The stream limits the configuration sets, by stream name, over the streams' defaults. */
export function configuredStreamLimits(
  config: Partial<Record<StreamLimitVariable, number | undefined>>,
): Record<string, StreamLimits> {
  const limits: Record<string, StreamLimits> = {};
  for (const stream of Object.keys(STREAMS) as StreamName[]) {
    const set: Partial<Record<keyof StreamLimits, number>> = {};
    for (const [suffix, [key]] of Object.entries(LIMIT_VARIABLES)) {
      const value = config[`NATS_STREAM_${stream}_${suffix}` as StreamLimitVariable];
      if (value !== undefined) set[key] = value;
    }
    if (Object.keys(set).length > 0) limits[STREAMS[stream].name] = set;
  }
  return limits;
}

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
  /**
   * Limits of each stream (max_bytes, max_msgs, max_msg_size) over the defaults in
   * libs/contracts/src/streams.ts; every service must be given the same (docs/streams.md).
   */
  ...streamLimitVariables,
  /**
   * Bytes of message bodies a batch handler gets at once (at least one message): a batch of
   * large messages is cut by bytes before it reaches batchSize. Default 4 MiB (docs/streams.md).
   */
  NATS_BATCH_MAX_BYTES: optionalVar((text) => {
    const bytes = parseBytes(text);
    if (bytes < 64 * 1024) throw new Error(`"${text}" is below the least allowed, 64KiB`);
    return bytes;
  }),
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
