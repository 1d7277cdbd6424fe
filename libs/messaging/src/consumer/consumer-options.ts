import type { ZodType } from 'zod';

export interface ConsumerOptions {
  /** Durable pull consumer name; replicas of a service share it. */
  durable: string;
  /** The stream holding the messages, e.g. `STREAMS.RECORDS.name`. */
  stream: string;
  /** e.g. `filterOf('records.received')`, which is `records.received.*.*`. */
  filterSubject: string;
  /** When set, the handler receives `InboundMessage[]` of up to this many; otherwise one `InboundMessage`. */
  batchSize?: number;
  /** How long to wait for a batch to fill once its first message is there. Default 50 ms. */
  batchWaitMs?: number;
  /**
   * Bytes of message bodies handed to the handler at once: a batch of large messages ends
   * before batchSize once it holds this much (it always holds at least one). Default: the
   * server's, NATS_BATCH_MAX_BYTES (4 MiB).
   */
  batchMaxBytes?: number;
  /** Nak delays in ms by delivery count; attempts = retry.length + 1. */
  retry?: readonly number[];
  /** Spreads each retry delay by up to this share either way, in [0, 1). Default 0. */
  retryJitter?: number;
  /** Default 60 s. While a handler runs the server is told it is still working. */
  ackWaitMs?: number;
  /** Each payload is validated; a violation goes to the dead-letter queue at once. */
  schema?: ZodType;
  /**
   * `json` (default) parses the body, dead-lettering what is not JSON. `text` hands the body
   * over as a string, `bytes` as it came (even when it is not UTF-8), for a consumer that
   * judges bad input itself (ingestion keeps rejects).
   */
  decode?: 'json' | 'text' | 'bytes';
  /**
   * A durable on the same stream this one was split off (NATS 2.9 takes one filter subject per
   * consumer, so reading part of what one consumer read takes a consumer of its own). When
   * this durable is first made and that one exists, it starts after the last message that one
   * had acknowledged with all before it, not at the start of the stream. The server
   * provisions such consumers before the others, so one of its own that narrows that durable
   * in place cannot move its position first.
   */
  takesOverFrom?: string;
}

export interface ResolvedConsumerOptions extends ConsumerOptions {
  retry: readonly number[];
  retryJitter: number;
  ackWaitMs: number;
  batchWaitMs: number;
}

export const DEFAULT_RETRY: readonly number[] = [1_000, 5_000, 30_000, 120_000, 600_000];
export const DEFAULT_ACK_WAIT_MS = 60_000;
const DEFAULT_BATCH_WAIT_MS = 50;
const NAME = /^[A-Za-z0-9_-]+$/;

/** Fills defaults and rejects options that would only fail later, at the server. */
export function resolveConsumerOptions(options: ConsumerOptions): ResolvedConsumerOptions {
  const problems: string[] = [];
  if (!NAME.test(options.durable))
    problems.push(`durable must match ${NAME}, got "${options.durable}"`);
  if (!NAME.test(options.stream))
    problems.push(`stream must match ${NAME}, got "${options.stream}"`);
  if (options.filterSubject.trim() === '') problems.push('filterSubject must not be empty');
  if (options.takesOverFrom !== undefined && !NAME.test(options.takesOverFrom))
    problems.push(`takesOverFrom must match ${NAME}, got "${options.takesOverFrom}"`);
  if (options.takesOverFrom === options.durable)
    problems.push('takesOverFrom must name another durable');
  if (
    options.batchSize !== undefined &&
    !(Number.isInteger(options.batchSize) && options.batchSize >= 1)
  ) {
    problems.push(`batchSize must be a positive integer, got ${options.batchSize}`);
  }
  if (
    options.batchMaxBytes !== undefined &&
    !(Number.isSafeInteger(options.batchMaxBytes) && options.batchMaxBytes >= 1)
  ) {
    problems.push(`batchMaxBytes must be a positive integer, got ${options.batchMaxBytes}`);
  }
  const retry = options.retry ?? DEFAULT_RETRY;
  if (!retry.every((ms) => Number.isFinite(ms) && ms >= 0))
    problems.push(`retry delays must be >= 0 ms, got [${retry.join(', ')}]`);
  const retryJitter = options.retryJitter ?? 0;
  if (!(retryJitter >= 0 && retryJitter < 1))
    problems.push(`retryJitter must be in [0, 1), got ${retryJitter}`);
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  if (!(ackWaitMs >= 1_000)) problems.push(`ackWaitMs must be at least 1000, got ${ackWaitMs}`);
  const batchWaitMs = options.batchWaitMs ?? DEFAULT_BATCH_WAIT_MS;
  if (!(batchWaitMs >= 0)) problems.push(`batchWaitMs must be >= 0, got ${batchWaitMs}`);
  if (options.decode !== undefined && options.decode !== 'json' && options.schema)
    problems.push(
      `schema applies to JSON bodies; it cannot be combined with decode: "${options.decode}"`,
    );
  if (problems.length > 0)
    throw new Error(`JetStream consumer "${options.durable}": ${problems.join('; ')}`);
  return { ...options, retry, retryJitter, ackWaitMs, batchWaitMs };
}
