import type { StreamDefinition, StreamLimits } from '@refinery/contracts';
import { Logger } from '@nestjs/common';
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
  type StreamUpdateConfig,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';

/** Long enough to cover a publisher's retries after a reconnect. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
/** What the automatic choice goes up to: a majority survives one node lost. */
export const MAX_AUTO_REPLICAS = 3;
/** What JetStream allows a stream. */
export const MAX_REPLICAS = 5;
/**
 * JetStream's answers when it cannot reserve a stream's max_bytes: insufficient storage (one
 * server), insufficient resources and no suitable peers (a cluster).
 */
const NO_ROOM = new Set([10047, 10023, 10005]);

export interface EnsureStreamsOptions {
  /**
   * How many copies of each stream the cluster keeps (NATS_STREAM_REPLICAS). Unset: as many
   * as the cluster has servers, at most 3 (see `automaticReplicas`); then an existing stream
   * is only ever raised to that, never lowered. Given: every stream gets exactly this many.
   */
  replicas?: number;
  /**
   * Limits by stream name, over the definition's own (`limits`): NATS_STREAM_<NAME>_MAX_BYTES,
   * _MAX_MSGS and _MAX_MSG_SIZE. A limit left out keeps the definition's; -1 is none.
   */
  limits?: Readonly<Record<string, StreamLimits | undefined>>;
  /** Where warnings go (a replica count or limit JetStream would not change). */
  logger?: Pick<Logger, 'log' | 'warn'>;
}

/** How many replicas the automatic choice gives, and why: for the log. */
export interface ReplicaChoice {
  replicas: number;
  reason: string;
}

/**
 * Replicas for this connection's cluster: the number of servers it advertises to clients
 * (the INFO's `connect_urls`, the server itself included), at most 3; 1 for a single server.
 * A cluster that does not advertise (`no_advertise`) looks like one server: set
 * NATS_STREAM_REPLICAS there.
 */
export function automaticReplicas(nc: NatsConnection): ReplicaChoice {
  const info = nc.info;
  if (!info?.cluster) return { replicas: 1, reason: 'a single server' };
  const servers = new Set(info.connect_urls ?? []).size;
  if (servers <= 1) {
    return {
      replicas: 1,
      reason: `cluster ${info.cluster} advertises no other server (set NATS_STREAM_REPLICAS)`,
    };
  }
  return {
    replicas: Math.min(servers, MAX_AUTO_REPLICAS),
    reason: `cluster ${info.cluster} of ${servers} servers`,
  };
}

/** Creates missing streams and brings existing ones to the definition; safe to run on every start. */
export async function ensureStreams(
  nc: NatsConnection,
  definitions: readonly StreamDefinition[],
  options: EnsureStreamsOptions = {},
): Promise<void> {
  const logger = options.logger ?? new Logger('ensureStreams');
  const wanted = wantedReplicas(nc, options.replicas);
  logger.log(`streams with ${wanted.replicas} replica(s): ${wanted.reason}`);
  const jsm = await jetstreamManager(nc);
  for (const definition of definitions) {
    const limits = streamLimitsOf(definition, options.limits);
    await ensureStream(jsm, definition, limits, wanted, logger);
  }
}

/** The limits a stream gets: the definition's, with those the configuration sets over them. */
export function streamLimitsOf(
  definition: StreamDefinition,
  overrides: Readonly<Record<string, StreamLimits | undefined>> = {},
): Required<StreamLimits> {
  const set = overrides[definition.name] ?? {};
  const limit = (key: keyof StreamLimits) => {
    const value = set[key] ?? definition.limits?.[key] ?? -1;
    if (!Number.isSafeInteger(value) || !(value === -1 || value > 0))
      throw new Error(
        `stream ${definition.name}: ${key} must be a positive whole number or -1 (none): ${value}`,
      );
    return value;
  };
  return {
    maxBytes: limit('maxBytes'),
    maxMsgs: limit('maxMsgs'),
    maxMsgSize: limit('maxMsgSize'),
  };
}

interface WantedReplicas extends ReplicaChoice {
  /** Set by NATS_STREAM_REPLICAS: a stream with more is lowered too. */
  exact: boolean;
}

function wantedReplicas(nc: NatsConnection, setting: number | undefined): WantedReplicas {
  if (setting === undefined) return { ...automaticReplicas(nc), exact: false };
  if (!Number.isInteger(setting) || setting < 1 || setting > MAX_REPLICAS) {
    throw new Error(`stream replicas must be a whole number from 1 to ${MAX_REPLICAS}: ${setting}`);
  }
  return { replicas: setting, reason: 'NATS_STREAM_REPLICAS', exact: true };
}

type Managed =
  | 'subjects'
  | 'description'
  | 'max_age'
  | 'duplicate_window'
  | 'num_replicas'
  | LimitKey
  | 'discard';
type LimitKey = 'max_bytes' | 'max_msgs' | 'max_msg_size';
type Wanted = Pick<StreamUpdateConfig, Managed>;

function wantedConfig(
  definition: StreamDefinition,
  limits: Required<StreamLimits>,
  replicas: number,
): Wanted {
  return {
    subjects: [...definition.subjects],
    description: definition.description,
    max_age: nanos(definition.maxAgeDays * DAY_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: replicas,
    max_bytes: limits.maxBytes,
    max_msgs: limits.maxMsgs,
    max_msg_size: limits.maxMsgSize,
    discard: definition.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
  };
}

/** The limits a stream has now, to put back what JetStream would not change. */
const limitsOf = (config: StreamConfig): Pick<Wanted, LimitKey> => ({
  max_bytes: config.max_bytes,
  max_msgs: config.max_msgs,
  max_msg_size: config.max_msg_size,
});

const described = (limit: number) => (limit > 0 ? String(limit) : 'none');

async function ensureStream(
  jsm: JetStreamManager,
  definition: StreamDefinition,
  limits: Required<StreamLimits>,
  replicas: WantedReplicas,
  logger: Pick<Logger, 'warn'>,
): Promise<void> {
  const existing = await currentInfo(jsm, definition.name);
  // Automatic: never fewer copies than a stream has (a node may just be down while we start).
  const count =
    existing && !replicas.exact
      ? Math.max(existing.config.num_replicas, replicas.replicas)
      : replicas.replicas;
  const wanted = wantedConfig(definition, limits, count);
  try {
    if (!existing) {
      await jsm.streams.add({ name: definition.name, storage: StorageType.File, ...wanted });
    } else {
      const kept = keepWhatItHolds(definition.name, existing, wanted, logger);
      if (differs(existing.config, kept))
        await update(jsm, definition.name, existing.config, kept, logger);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const copies = wanted.num_replicas > 1 ? ` with ${wanted.num_replicas} replicas` : '';
    const room =
      error instanceof JetStreamApiError && NO_ROOM.has(error.code) && wanted.max_bytes > 0
        ? `; JetStream cannot reserve its max_bytes of ${wanted.max_bytes} on each of its servers: lower NATS_STREAM_${definition.name}_MAX_BYTES or give JetStream more storage (docs/streams.md)`
        : '';
    throw new Error(
      `cannot ${existing ? 'update' : 'create'} stream ${definition.name}${copies} (${definition.subjects.join(', ')}): ${reason}${room}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Lowering max_bytes or max_msgs below what a stream holds makes JetStream delete its oldest
 * messages at once, whatever its discard policy. A stream that refuses rather than drops
 * (`discard: new`) keeps its limit instead, with a warning, until retention has brought it
 * under the new one: a later start lowers it then.
 */
function keepWhatItHolds(
  name: string,
  existing: StreamInfo,
  wanted: Wanted,
  logger: Pick<Logger, 'warn'>,
): Wanted {
  if (wanted.discard !== DiscardPolicy.New) return wanted;
  const kept = { ...wanted };
  const held = { max_bytes: existing.state.bytes, max_msgs: existing.state.messages };
  for (const key of ['max_bytes', 'max_msgs'] as const) {
    const now = existing.config[key];
    const lowered = wanted[key] > 0 && (now <= 0 || now > wanted[key]);
    if (!lowered || held[key] <= wanted[key]) continue;
    kept[key] = now;
    logger.warn(
      `stream ${name} keeps ${key} ${described(now)}: it holds ${held[key]}, more than the ${wanted[key]} configured, and lowering the limit now would delete its oldest messages; a start after retention has brought it under lowers it`,
    );
  }
  return kept;
}

/**
 * Updates the stream. A new replica count JetStream refuses (not enough servers up, or a
 * server that cannot change it) leaves the stream at its count with a warning; limits it
 * cannot reserve storage for leave the stream at its limits with a warning. The rest of the
 * definition is applied all the same.
 */
async function update(
  jsm: JetStreamManager,
  name: string,
  existing: StreamConfig,
  wanted: Wanted,
  logger: Pick<Logger, 'warn'>,
): Promise<void> {
  /** Undefined once applied; what JetStream said when it refused. */
  const tryUpdate = async (config: Wanted): Promise<JetStreamApiError | undefined> => {
    try {
      await jsm.streams.update(name, config);
      return undefined;
    } catch (error) {
      if (!(error instanceof JetStreamApiError)) throw error;
      return error;
    }
  };
  let config = wanted;
  let refusal = await tryUpdate(config);
  if (refusal === undefined) return;
  if (existing.num_replicas !== config.num_replicas) {
    logger.warn(
      `stream ${name} stays at ${existing.num_replicas} replica(s): JetStream refused ${config.num_replicas} (${messageOf(refusal)})`,
    );
    config = { ...config, num_replicas: existing.num_replicas };
    if (!differs(existing, config)) return;
    refusal = await tryUpdate(config);
    if (refusal === undefined) return;
  }
  const kept = { ...config, ...limitsOf(existing) };
  if (!NO_ROOM.has(refusal.code) || !differs(config, kept)) throw refusal;
  logger.warn(
    `stream ${name} keeps its limits (max_bytes ${described(existing.max_bytes)}, max_msgs ${described(existing.max_msgs)}): JetStream cannot reserve max_bytes ${described(config.max_bytes)} (${messageOf(refusal)}); lower NATS_STREAM_${name}_MAX_BYTES or give JetStream more storage`,
  );
  if (differs(existing, kept)) await jsm.streams.update(name, kept);
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function currentInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
      return undefined;
    throw error;
  }
}

function differs(current: Wanted, wanted: Wanted): boolean {
  const sameSubjects =
    current.subjects.length === wanted.subjects.length &&
    wanted.subjects.every((s) => current.subjects.includes(s));
  return (
    !sameSubjects ||
    (current.description ?? '') !== wanted.description ||
    current.max_age !== wanted.max_age ||
    current.duplicate_window !== wanted.duplicate_window ||
    current.num_replicas !== wanted.num_replicas ||
    current.max_bytes !== wanted.max_bytes ||
    current.max_msgs !== wanted.max_msgs ||
    current.max_msg_size !== wanted.max_msg_size ||
    current.discard !== wanted.discard
  );
}
