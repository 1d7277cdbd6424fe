import type { StreamDefinition } from '@refinery/contracts';
import { Logger } from '@nestjs/common';
import {
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
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

export interface EnsureStreamsOptions {
  /**
   * How many copies of each stream the cluster keeps (NATS_STREAM_REPLICAS). Unset: as many
   * as the cluster has servers, at most 3 (see `automaticReplicas`); then an existing stream
   * is only ever raised to that, never lowered. Given: every stream gets exactly this many.
   */
  replicas?: number;
  /** Where warnings go (a replica count JetStream would not change). */
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
  for (const definition of definitions) await ensureStream(jsm, definition, wanted, logger);
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

type Managed = 'subjects' | 'description' | 'max_age' | 'duplicate_window' | 'num_replicas';

function wantedConfig(
  definition: StreamDefinition,
  replicas: number,
): Pick<StreamUpdateConfig, Managed> {
  return {
    subjects: [...definition.subjects],
    description: definition.description,
    max_age: nanos(definition.maxAgeDays * DAY_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: replicas,
  };
}

async function ensureStream(
  jsm: JetStreamManager,
  definition: StreamDefinition,
  replicas: WantedReplicas,
  logger: Pick<Logger, 'warn'>,
): Promise<void> {
  const existing = await currentConfig(jsm, definition.name);
  // Automatic: never fewer copies than a stream has (a node may just be down while we start).
  const count =
    existing && !replicas.exact
      ? Math.max(existing.num_replicas, replicas.replicas)
      : replicas.replicas;
  const wanted = wantedConfig(definition, count);
  try {
    if (!existing) {
      await jsm.streams.add({ name: definition.name, storage: StorageType.File, ...wanted });
    } else if (differs(existing, wanted)) {
      await update(jsm, definition.name, existing, wanted, logger);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const copies = wanted.num_replicas > 1 ? ` with ${wanted.num_replicas} replicas` : '';
    throw new Error(
      `cannot ${existing ? 'update' : 'create'} stream ${definition.name}${copies} (${definition.subjects.join(', ')}): ${reason}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Updates the stream. A new replica count JetStream refuses (not enough servers up, or a
 * server that cannot change it) leaves the stream at its count with a warning; the rest of
 * the definition is applied all the same.
 */
async function update(
  jsm: JetStreamManager,
  name: string,
  existing: StreamConfig,
  wanted: Pick<StreamUpdateConfig, Managed>,
  logger: Pick<Logger, 'warn'>,
): Promise<void> {
  if (existing.num_replicas === wanted.num_replicas) {
    await jsm.streams.update(name, wanted);
    return;
  }
  try {
    await jsm.streams.update(name, wanted);
  } catch (error) {
    if (!(error instanceof JetStreamApiError)) throw error;
    logger.warn(
      `stream ${name} stays at ${existing.num_replicas} replica(s): JetStream refused ${wanted.num_replicas} (${error.message})`,
    );
    const same = { ...wanted, num_replicas: existing.num_replicas };
    if (differs(existing, same)) await jsm.streams.update(name, same);
  }
}

async function currentConfig(
  jsm: JetStreamManager,
  name: string,
): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
      return undefined;
    throw error;
  }
}

function differs(current: StreamConfig, wanted: Pick<StreamUpdateConfig, Managed>): boolean {
  const sameSubjects =
    current.subjects.length === wanted.subjects.length &&
    wanted.subjects.every((s) => current.subjects.includes(s));
  return (
    !sameSubjects ||
    (current.description ?? '') !== wanted.description ||
    current.max_age !== wanted.max_age ||
    current.duplicate_window !== wanted.duplicate_window ||
    current.num_replicas !== wanted.num_replicas
  );
}
