import type { LoggerService } from '@nestjs/common';
import {
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConnectionMonitor } from '../connection/connection-monitor';
import { BatchReader } from '../consumer/batch-reader';
import type { ResolvedConsumerOptions } from '../consumer/consumer-options';
import { MessageProcessor, type HandlerInvoker } from '../consumer/message-processor';
import { Settlement } from '../consumer/settlement';
import { provisionConsumer } from './provision-consumer';

/** A few messages ahead hide the pull round trip without leaving many waiting out their ack_wait. */
const SINGLE_PREFETCH = 4;
const PULL_EXPIRES_MS = 30_000;
const RESTART_DELAY_MS = 2_000;

/** Pulls one durable consumer and feeds its messages, one batch at a time, to the processor. */
export class ConsumerRunner {
  private readonly js: JetStreamClient;
  private readonly processor: MessageProcessor;
  private messages?: ConsumerMessages;
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
    this.processor = new MessageProcessor(service, options, invoke, this.js, settlement, logger);
  }

  /** Provisions the consumer and starts pulling; rejects when the consumer cannot be set up. */
  async start(): Promise<void> {
    this.messages = await this.subscribe();
    this.loop = this.run(this.messages);
  }

  /** Stops pulling, lets the batch in hand finish and settle, then resolves. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    const messages = this.messages;
    if (messages) void messages.close().catch(() => undefined);
    await this.loop;
  }

  private async subscribe(): Promise<ConsumerMessages> {
    await provisionConsumer(await jetstreamManager(this.nc), this.options);
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
      await this.pause(RESTART_DELAY_MS);
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

  /** Handles batches until the subscription ends: on stop, what was already received is handled too. */
  private async drain(messages: ConsumerMessages): Promise<void> {
    const reader = new BatchReader<JsMsg>(
      messages[Symbol.asyncIterator](),
      this.options.batchSize ?? 1,
      this.options.batchWaitMs,
    );
    for (let batch = await reader.next(); batch; batch = await reader.next()) {
      await this.processor.process(batch);
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
