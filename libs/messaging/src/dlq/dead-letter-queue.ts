import {
  jetstream,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type MsgRequest,
  type PubAck,
  type StoredMsg,
} from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { filterOf, paramsOf, STREAMS, subjectOf } from '@refinery/contracts';
import { DLQ_HEADERS } from '../consumer/dead-letter';
import type { DeadLetterReason } from '../consumer/retry-schedule';
import { REPLAY_HEADERS } from './replay-headers';

const REASONS: Record<DeadLetterReason, true> = {
  retries_exhausted: true,
  non_retryable: true,
  schema_violation: true,
  max_deliveries: true,
  tenant_mismatch: true,
};

/** Every reason a consumer gives a message up for, as Refinery-Dlq-Reason starts. */
export const DEAD_LETTER_REASONS = Object.keys(REASONS) as [
  DeadLetterReason,
  ...DeadLetterReason[],
];

export const DLQ_STREAM = STREAMS.DLQ.name;

/** One message of the DLQ stream, as its Refinery-Dlq-* headers describe it. */
export interface DeadLetterEntry {
  /** Its sequence in the DLQ stream: how an operator names it. */
  seq: number;
  deadLetteredAt: Date;
  /** The service whose consumer gave up on it (`dlq.<service>`). */
  service: string;
  consumer: string | null;
  /** The reason code (`retries_exhausted`...), and what went wrong, in words. */
  reason: string;
  error: string;
  /** Where the message was: the subject it was published to, its stream and sequence. */
  subject: string;
  stream: string | null;
  streamSeq: number | null;
  /** How many deliveries the consumer had made when it gave up. */
  deliveries: number | null;
  /** The original Nats-Msg-Id, when it had one and was dead-lettered with it. */
  msgId: string | null;
  /** When the message was itself a replay: the DLQ sequence it replayed. */
  replayOf: number | null;
  /** Every header of the DLQ copy, the original ones included. */
  headers: Record<string, string>;
  data: Uint8Array;
}

const numberOr = (text: string | undefined): number | null =>
  text !== undefined && /^\d+$/.test(text) ? Number(text) : null;

/** A stored DLQ message as an entry; the headers a consumer always sets are read back. */
export function deadLetterOf(
  message: Pick<StoredMsg, 'seq' | 'subject' | 'data' | 'time'> & { header?: MsgHdrs },
): DeadLetterEntry {
  const headers: Record<string, string> = {};
  for (const [key, values] of message.header ?? []) {
    if (values.length > 0) headers[key] = values[values.length - 1];
  }
  const get = (name: string) => headers[name];
  const said = get(DLQ_HEADERS.reason) ?? '';
  const colon = said.indexOf(': ');
  return {
    seq: message.seq,
    deadLetteredAt: message.time,
    service: get(DLQ_HEADERS.service) ?? paramsOf('dlq', message.subject)?.service ?? '',
    consumer: get(DLQ_HEADERS.consumer) ?? null,
    reason: colon === -1 ? said : said.slice(0, colon),
    error: colon === -1 ? '' : said.slice(colon + 2),
    subject: get(DLQ_HEADERS.subject) ?? '',
    stream: get(DLQ_HEADERS.stream) ?? null,
    streamSeq: numberOr(get(DLQ_HEADERS.sequence)),
    deliveries: numberOr(get(DLQ_HEADERS.deliveries)),
    msgId: get(DLQ_HEADERS.msgId) ?? null,
    replayOf: numberOr(get(REPLAY_HEADERS.of)),
    headers,
    data: message.data,
  };
}

export interface DeadLetterScan {
  /** Only sequences above this one (a page's cursor). */
  after?: number;
  /** Only dead letters of this service (`dlq.<service>`). */
  service?: string;
  /** Only those dead-lettered at or after / at or before these times. */
  since?: Date;
  until?: Date;
}

/**
 * The DLQ stream, read message by message (STREAM.MSG.GET, which NATS 2.9 serves): one entry by
 * its sequence, or every entry in sequence order from a cursor, only a service's subject read.
 * The stream keeps its messages 30 days; reading one leaves it there.
 */
export class DeadLetterQueue {
  private constructor(
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
  ) {}

  static async open(nc: NatsConnection): Promise<DeadLetterQueue> {
    return new DeadLetterQueue(await jetstreamManager(nc), jetstream(nc));
  }

  /** The entry at `seq`; null when there is none (never stored, purged or aged out). */
  async get(seq: number): Promise<DeadLetterEntry | null> {
    const message = await this.jsm.streams.getMessage(DLQ_STREAM, { seq });
    return message ? deadLetterOf(message) : null;
  }

  /**
   * Entries in sequence order, up to the last one stored when the scan began: what is
   * dead-lettered meanwhile (a replay failing again, say) is left for the next scan.
   */
  async *scan(options: DeadLetterScan = {}): AsyncGenerator<DeadLetterEntry> {
    const { state } = await this.jsm.streams.info(DLQ_STREAM);
    if (state.messages === 0) return;
    const filter = options.service
      ? subjectOf('dlq', { service: options.service })
      : filterOf('dlq');
    const last = state.last_seq;
    let next = Math.max((options.after ?? 0) + 1, state.first_seq);
    if (options.since) next = await this.firstAtOrAfter(options.since, filter, next, last);
    while (next <= last) {
      const message = await this.next(next, filter);
      if (!message || message.seq > last) return;
      if (options.until && message.time > options.until) return;
      next = message.seq + 1;
      if (options.since && message.time < options.since) continue;
      yield deadLetterOf(message);
    }
  }

  /** Publishes a copy to `subject` (a replay: its original subject); the stream's answer. */
  republish(entry: DeadLetterEntry, msgId: string, headers: MsgHdrs): Promise<PubAck> {
    return this.js.publish(entry.subject, entry.data, { msgID: msgId, headers });
  }

  /** Removes one entry; false when it was not there. */
  async remove(seq: number): Promise<boolean> {
    try {
      return await this.jsm.streams.deleteMessage(DLQ_STREAM, seq, false);
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound)
        return false;
      throw error;
    }
  }

  /** The first message on `filter` at or after `from`, by sequence. */
  private next(from: number, filter: string): Promise<StoredMsg | null> {
    // NATS 2.9 answers `next_by_subj` on STREAM.MSG.GET; the client's type predates it.
    const query = { seq: from, next_by_subj: filter } as unknown as MsgRequest;
    return this.jsm.streams.getMessage(DLQ_STREAM, query);
  }

  /**
   * Where to start reading for `since`: the stream stores in time order, so a binary search
   * over sequences finds it in a few dozen requests rather than one per older message.
   */
  private async firstAtOrAfter(since: Date, filter: string, lo: number, last: number) {
    let hi = last + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const message = await this.next(mid, filter);
      if (!message || message.seq > last) hi = mid;
      else if (message.time < since) lo = message.seq + 1;
      else hi = mid;
    }
    return lo;
  }
}
