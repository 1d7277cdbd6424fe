/**
 * JetStream streams. Renaming a stream or changing its subjects strands every durable
 * consumer bound to it: do not rename without a migration plan.
 */
export interface StreamDefinition {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly description: string;
  /** Retention in days; JetStream discards older messages. */
  readonly maxAgeDays: number;
  /**
   * How much the stream may hold. These are the defaults: NATS_STREAM_<NAME>_MAX_BYTES,
   * _MAX_MSGS and _MAX_MSG_SIZE override them (docs/streams.md). Absent: no limit.
   */
  readonly limits?: StreamLimits;
  /**
   * What JetStream does at `maxBytes` or `maxMsgs`: `new` refuses the publish (the publisher
   * sees an error and retries), `old` deletes the oldest messages to make room. Default `old`,
   * JetStream's own.
   */
  readonly discard?: 'new' | 'old';
}

/** JetStream's size limits of a stream; a limit left out (or -1) is none. */
export interface StreamLimits {
  /** Bytes the stream may hold (`max_bytes`); JetStream reserves them on its store. */
  readonly maxBytes?: number;
  /** Messages the stream may hold (`max_msgs`). */
  readonly maxMsgs?: number;
  /** The largest message it takes, headers included (`max_msg_size`). */
  readonly maxMsgSize?: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/**
 * NATS's own max_payload: a larger message cannot be published at all. Every stream keeps it
 * as its largest message, so a consumer's byte-bounded pull (NATS_BATCH_MAX_BYTES, at least
 * this much) can always carry one message.
 */
export const DEFAULT_MAX_MSG_SIZE = 1 * MiB;

const stream = (def: StreamDefinition): StreamDefinition => def;

// The byte limits together (6.9 GiB) fit the JetStream volume deploy/k8s gives each NATS
// server, 10 GiB, with room for JetStream's own files: JetStream reserves a stream's max_bytes
// when it creates it, and refuses a stream that does not fit. Each stream's share follows what
// its retention holds at the measured sizes (docs/streams.md); the message limits allow
// messages of 256 bytes on average, so that only a flood of tiny messages reaches them first.
export const STREAMS = {
  INGEST: stream({
    name: 'INGEST',
    subjects: ['ingest.>'],
    description: 'Upstream events arriving over NATS, and the ones ingestion rejected',
    maxAgeDays: 7,
    limits: { maxBytes: 256 * MiB, maxMsgs: 1_000_000, maxMsgSize: DEFAULT_MAX_MSG_SIZE },
    discard: 'new',
  }),
  RECORDS: stream({
    name: 'RECORDS',
    subjects: ['records.>'],
    description: 'Records accepted and stored by ingestion',
    maxAgeDays: 14,
    limits: { maxBytes: 2 * GiB, maxMsgs: 8_000_000, maxMsgSize: DEFAULT_MAX_MSG_SIZE },
    // Re-driving a record reads its input from here by sequence, and a consumer behind would
    // skip what was deleted under it: a full stream refuses, it never drops unread messages.
    discard: 'new',
  }),
  ENRICHMENT: stream({
    name: 'ENRICHMENT',
    subjects: ['enrichment.>'],
    description: 'Stage results, failures, reprocessing requests and completed records',
    maxAgeDays: 14,
    limits: { maxBytes: 3 * GiB, maxMsgs: 12_000_000, maxMsgSize: DEFAULT_MAX_MSG_SIZE },
    discard: 'new',
  }),
  LEARNING: stream({
    name: 'LEARNING',
    subjects: ['review.>', 'feedback.>', 'corrections.>', 'learning.>', 'models.>'],
    description: 'Review requests, feedback, corrections and model publications',
    maxAgeDays: 30,
    // Model publications are large (a few hundred KiB each).
    limits: { maxBytes: 1 * GiB, maxMsgs: 4_000_000, maxMsgSize: DEFAULT_MAX_MSG_SIZE },
    discard: 'new',
  }),
  DATASETS: stream({
    name: 'DATASETS',
    subjects: ['datasets.>'],
    description: 'Commits on golden datasets',
    maxAgeDays: 30,
    limits: { maxBytes: 128 * MiB, maxMsgs: 500_000, maxMsgSize: DEFAULT_MAX_MSG_SIZE },
    discard: 'new',
  }),
  ALERTS: stream({
    name: 'ALERTS',
    subjects: ['alerts.>'],
    description: 'Alerts raised by the quality monitor',
    maxAgeDays: 30,
    limits: { maxBytes: 64 * MiB, maxMsgs: 250_000, maxMsgSize: DEFAULT_MAX_MSG_SIZE },
    // Today's alerts matter more than a month-old one: a full stream drops its oldest.
    discard: 'old',
  }),
  DLQ: stream({
    name: 'DLQ',
    subjects: ['dlq.>'],
    description: 'Messages a consumer gave up on, with headers naming why',
    maxAgeDays: 30,
    // A consumer that cannot dead-letter keeps the message and tries again: nothing is lost.
    limits: { maxBytes: 512 * MiB, maxMsgs: 2_000_000, maxMsgSize: DEFAULT_MAX_MSG_SIZE },
    discard: 'new',
  }),
} as const;

export type StreamName = keyof typeof STREAMS;
