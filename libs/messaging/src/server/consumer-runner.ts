import type { LoggerService } from '@nestjs/common';
import {
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConnectionMonitor } from '../connection/connection-monitor';
import { BatchReader } from '../consumer/batch-reader';
import type { ResolvedConsumerOptions } from '../consumer/consumer-options';
import { MessageProcessor, type HandlerInvoker } from '../consumer/message-processor';
import { databaseCheck, jetStreamCheck, OutageWatch } from '../consumer/outage';
import { Settlement } from '../consumer/settlement';
import { provisionConsumer } from './provision-consumer';

/** A few messages ahead hide the pull round trip without leaving many waiting out their ack_wait. */
const SINGLE_PREFETCH = 4;
const PULL_EXPIRES_MS = 30_000;
const RESTART_DELAY_MS = 2_000;
/**
 * Bytes of message bodies a batch handler gets at once, unless told otherwise. Pulls stay
 * bounded by count: @nats-io/jetstream 3.x takes a pull's max_bytes only without a count, and
 * then stalls for two idle heartbeats whenever what is left of a pull is smaller than the next
 * message (docs/streams.md).
 */
export const DEFAULT_BATCH_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Pulls one durable consumer and feeds its messages, one batch at a time, to the processor.
 * When an outage pauses the processor, pulling ends: nothing more is delivered while the batch
 * is held. What was delivered already and not yet handed over is handled after the outage,
 * still under its first delivery, and acked before the consumer pulls again, so the server
 * never redelivers it (it redelivers only into a pull).
 */
export class ConsumerRunner {
  private readonly js: JetStreamClient;
  private readonly processor: MessageProcessor;
  private readonly stopped = new AbortController();
  private jsm?: Promise<JetStreamManager>;
  private messages?: ConsumerMessages;
  /** The subscription ended because an outage paused the processor. */
  private heldBack?: ConsumerMessages;
  private loop?: Promise<void>;
  private stopping = false;
  private wake?: () => void;

  constructor(
    private readonly nc: NatsConnection,
    service: string,
    private readonly options: ResolvedConsumerOptions,
    invoke: HandlerInvoker,
    private readonly logger: LoggerService,
  ) {
    this.js = jetstream(nc);
    const settlement = new Settlement(ConnectionMonitor.of(nc), logger);
    const outage = new OutageWatch([
      jetStreamCheck(settlement, () => this.manager(), options.stream, options.durable),
      databaseCheck,
    ]);
    this.processor = new MessageProcessor(service, options, invoke, this.js, settlement, logger, {
      outage,
      stopping: this.stopped.signal,
      onPause: () => this.holdFetching(),
    });
  }

  /** Provisions the consumer and starts pulling; rejects when the consumer cannot be set up. */
  async start(): Promise<void> {
    this.messages = await this.subscribe();
    this.loop = this.run(this.messages);
  }

  /**
   * Stops pulling, lets the batch in hand finish and settle, then resolves. A batch held by an
   * outage is not waited for: it is left unsettled, redelivered after ack_wait.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    this.wake?.();
    const messages = this.messages;
    if (messages) void messages.close().catch(() => undefined);
    await this.loop;
  }

  /** One JetStreamManager for provisioning and the outage probe, made again if making it failed. */
  private manager(): Promise<JetStreamManager> {
    const made = (this.jsm ??= jetstreamManager(this.nc));
    made.catch(() => {
      if (this.jsm === made) this.jsm = undefined;
    });
    return made;
  }

  private async subscribe(): Promise<ConsumerMessages> {
    await provisionConsumer(await this.manager(), this.options);
    const consumer = await this.js.consumers.get(this.options.stream, this.options.durable);
    return consumer.consume({
      max_messages: this.options.batchSize ?? SINGLE_PREFETCH,
      expires: PULL_EXPIRES_MS,
    });
  }

  private async run(first: ConsumerMessages): Promise<void> {
    let messages: ConsumerMessages | undefined = first;
    while (!this.stopping && !this.nc.isClosed()) {
      if (messages) {
        try {
          await this.drain(messages);
        } catch (error) {
          this.logger.error(
            `${this.options.durable}: pulling stopped: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
      if (this.stopping || this.nc.isClosed()) break;
      // Ended for an outage, now over: pull again at once. Ended by itself: after a while.
      if (!messages || messages !== this.heldBack) await this.pause(RESTART_DELAY_MS);
      if (this.stopping) break;
      messages = await this.subscribe().catch((error: unknown) => {
        this.logger.error(
          `${this.options.durable}: cannot resume pulling: ${error instanceof Error ? error.message : String(error)}`,
        );
        return undefined;
      });
      this.messages = messages;
      if (this.stopping) void messages?.close().catch(() => undefined);
    }
  }

  /** An outage paused the processor: end the pull, so that nothing more is delivered meanwhile. */
  private holdFetching(): void {
    const messages = this.messages;
    if (!messages || messages === this.heldBack) return;
    this.heldBack = messages;
    void messages.close().catch(() => undefined);
  }

  /** Handles batches until the subscription ends: on stop, what was already received is handled too. */
  private async drain(messages: ConsumerMessages): Promise<void> {
    const reader = new BatchReader<JsMsg>(
      messages[Symbol.asyncIterator](),
      this.options.batchSize ?? 1,
      this.options.batchWaitMs,
    );
    const bound = this.options.batchMaxBytes ?? DEFAULT_BATCH_MAX_BYTES;
    for (let batch = await reader.next(); batch; batch = await reader.next()) {
      for (const part of byBytes(batch, bound)) await this.processor.process(part);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/**
 * A batch cut into runs of at most `maxBytes` of message bodies, in order; a message larger
 * than that makes a run of its own.
 */
export function byBytes<T extends { data: Uint8Array }>(batch: T[], maxBytes: number): T[][] {
  const parts: T[][] = [];
  let part: T[] = [];
  let bytes = 0;
  for (const msg of batch) {
    if (part.length > 0 && bytes + msg.data.length > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(msg);
    bytes += msg.data.length;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
