import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Gauge } from 'prom-client';

/** What a stream holds and may hold, as JetStream reports it; a limit of -1 is none. */
export interface StreamUsage {
  bytes: number;
  messages: number;
  maxBytes: number;
  maxMessages: number;
}

export type StreamFigure = keyof StreamUsage;

/** The streams one JetStreamServer ensured, on its connection. */
interface Source {
  nc: NatsConnection;
  streams: readonly string[];
  jsm?: Promise<JetStreamManager>;
}

/** A scrape reads JetStream at most this often; scrapes in between get the last reading. */
const REFRESH_MS = 10_000;
/** A stream info that takes longer is skipped: a scrape must not wait on a slow NATS. */
const INFO_TIMEOUT_MS = 2_000;
/** A reading kept through failed refreshes this long, then dropped with its series. */
const STALE_MS = 5 * 60_000;

const sources = new Set<Source>();
const readings = new Map<string, StreamUsage & { at: number }>();
let refreshing: Promise<void> | undefined;
let refreshedAt = 0;

/**
 * Has the process export the usage of these streams (refinery_stream_*), read from JetStream
 * when Prometheus scrapes. Every service reports the streams it ensures: the alert rules take
 * the max over them. Returns what stops the reporting.
 */
export function reportStreamUsage(nc: NatsConnection, streams: readonly string[]): () => void {
  const source: Source = { nc, streams };
  sources.add(source);
  refreshedAt = 0;
  return () => {
    sources.delete(source);
  };
}

/** The collect function of one refinery_stream_* gauge: sets it per stream on each scrape. */
export function collectStreamUsage(figure: StreamFigure) {
  const limit = figure === 'maxBytes' || figure === 'maxMessages';
  return async function collect(this: Gauge<'stream'>): Promise<void> {
    const usage = await currentUsage();
    this.reset();
    for (const [stream, reading] of usage) {
      // A stream without the limit has no series: its ratio is then empty, not negative.
      if (limit && reading[figure] <= 0) continue;
      this.set({ stream }, reading[figure]);
    }
  };
}

/** The latest reading of every stream reported, refreshed when it is older than REFRESH_MS. */
export async function currentUsage(): Promise<Map<string, StreamUsage>> {
  if (!refreshing && Date.now() - refreshedAt >= REFRESH_MS) {
    refreshing = refresh().finally(() => {
      refreshedAt = Date.now();
      refreshing = undefined;
    });
  }
  await refreshing;
  const reported = new Set([...sources].flatMap((source) => source.streams));
  const fresh = Date.now() - STALE_MS;
  const usage = new Map<string, StreamUsage>();
  for (const [stream, { at, ...reading }] of readings) {
    if (reported.has(stream) && at >= fresh) usage.set(stream, reading);
  }
  return usage;
}

async function refresh(): Promise<void> {
  await Promise.all(
    [...sources].map(async (source) => {
      if (source.nc.isClosed()) return;
      const jsm = await manager(source);
      if (!jsm) return;
      await Promise.all(source.streams.map((stream) => read(jsm, stream)));
    }),
  );
}

async function manager(source: Source): Promise<JetStreamManager | undefined> {
  const made = (source.jsm ??= jetstreamManager(source.nc, { timeout: INFO_TIMEOUT_MS }));
  try {
    return await made;
  } catch {
    if (source.jsm === made) source.jsm = undefined;
    return undefined;
  }
}

async function read(jsm: JetStreamManager, stream: string): Promise<void> {
  try {
    const { config, state } = await jsm.streams.info(stream);
    readings.set(stream, {
      bytes: state.bytes,
      messages: state.messages,
      maxBytes: config.max_bytes,
      maxMessages: config.max_msgs,
      at: Date.now(),
    });
  } catch {
    // NATS slow or away, or the stream gone: the last reading stands until it is stale.
  }
}
