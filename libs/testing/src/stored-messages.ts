import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { countMessages } from './stream-counts';

export interface StoredMessage<T> {
  subject: string;
  /** Its sequence in the stream. */
  seq: number;
  data: T;
  headers: Record<string, string>;
}

/**
 * Every message a stream holds on subjects matching `filter`, oldest first. Counting what is
 * stored (not what a subscriber saw) is what tells a duplicate the stream dropped from one
 * that got through.
 */
export async function storedMessages<T>(
  nc: NatsConnection,
  stream: string,
  filter: string,
): Promise<StoredMessage<T>[]> {
  const total = await countMessages(nc, stream, filter);
  if (total === 0) return [];
  // A plain ephemeral consumer: NATS 2.9 knows a single filter_subject only.
  const jsm = await jetstreamManager(nc);
  const { name } = await jsm.consumers.add(stream, {
    filter_subject: filter,
    ack_policy: AckPolicy.None,
    inactive_threshold: 30_000_000_000,
  });
  const consumer = await jetstream(nc).consumers.get(stream, name);
  const out: StoredMessage<T>[] = [];
  try {
    while (out.length < total) {
      const batch = await consumer.fetch({ max_messages: total - out.length, expires: 2_000 });
      let got = 0;
      for await (const msg of batch) {
        got++;
        const headers: Record<string, string> = {};
        for (const [key, values] of msg.headers ?? []) headers[key] = values[0];
        out.push({ subject: msg.subject, seq: msg.seq, data: msg.json<T>(), headers });
      }
      if (got === 0) break;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return out;
}
