import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/** How many messages a stream holds on subjects matching `filter` (JetStream counts them). */
export async function countMessages(
  nc: NatsConnection,
  stream: string,
  filter: string,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream, { subjects_filter: filter });
  return Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
}

/** The last message on a subject, decoded as JSON, or undefined when there is none. */
export async function lastMessage<T>(
  nc: NatsConnection,
  stream: string,
  subject: string,
): Promise<{ data: T; headers: Record<string, string> } | undefined> {
  const jsm = await jetstreamManager(nc);
  try {
    const msg = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    if (!msg) return undefined;
    const headers: Record<string, string> = {};
    for (const [key, values] of msg.header ?? []) headers[key] = values[0];
    return { data: msg.json<T>(), headers };
  } catch {
    return undefined;
  }
}
