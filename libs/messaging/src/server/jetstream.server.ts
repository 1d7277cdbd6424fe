import type { StreamDefinition, StreamLimits } from '@refinery/contracts';
import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { NatsConnection } from '@nats-io/transport-node';
import { isObservable, lastValueFrom } from 'rxjs';
import type { ResolvedConsumerOptions } from '../consumer/consumer-options';
import { consumerOptionsOf, JETSTREAM_TRANSPORT } from '../consumer/jetstream-consumer.decorator';
import type { HandlerInvoker } from '../consumer/message-processor';
import { messagingMetrics } from '../metrics/messaging-metrics';
import { reportStreamUsage } from '../metrics/stream-usage';
import { ensureStreams } from '../streams/ensure-streams';
import { ConsumerRunner, DEFAULT_BATCH_MAX_BYTES } from './consumer-runner';

export interface JetStreamServerOptions {
  /** Names the dead-letter subject (`dlq.<service>`) and labels metrics. */
  service: string;
  connection: NatsConnection;
  /** Streams to create or update before the consumers start. */
  streams: readonly StreamDefinition[];
  /** Replicas of those streams; unset: as many as the cluster has servers, at most 3. */
  streamReplicas?: number;
  /** Limits by stream name over the definitions' own; see ensureStreams. */
  streamLimits?: Readonly<Record<string, StreamLimits | undefined>>;
  /**
   * Bytes of message bodies a batch handler gets at once, unless its consumer's options say
   * otherwise (NATS_BATCH_MAX_BYTES). Default 4 MiB.
   */
  batchMaxBytes?: number;
  /** Whether this server exports the usage of its streams (refinery_stream_*). Default true. */
  reportStreamUsage?: boolean;
  /** How long close() waits for handlers in progress. Default 25 s, inside Kubernetes' 30 s grace. */
  shutdownTimeoutMs?: number;
}

/**
 * Nest transport for JetStream: every `@JetStreamConsumer` handler becomes a durable pull
 * consumer with explicit acks, delayed retries and a dead-letter queue. close(), which
 * SIGTERM reaches through Nest's shutdown hooks, lets handlers in progress finish and ack.
 * The connection is not closed here: MessagingModule drains it after the server closed.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger('JetStreamServer');
  private runners: ConsumerRunner[] = [];
  private stopReporting?: () => void;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.transportId = JETSTREAM_TRANSPORT;
  }

  async listen(callback: (error?: unknown, ...info: unknown[]) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      await this.close();
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.stopReporting?.();
    this.stopReporting = undefined;
    const runners = this.runners;
    this.runners = [];
    const stopped = Promise.all(runners.map((r) => r.stop()));
    const timeoutMs = this.options.shutdownTimeoutMs ?? 25_000;
    if ((await withTimeout(stopped, timeoutMs)) === 'timeout') {
      this.log.warn(
        `handlers still running after ${timeoutMs} ms; their messages will be redelivered`,
      );
    }
    // Acks are fire-and-forget: a round trip makes sure the server has them before we go.
    const nc = this.options.connection;
    if (!nc.isClosed() && !nc.isDraining()) {
      await withTimeout(
        nc.flush().catch(() => undefined),
        5_000,
      );
    }
  }

  on(): never {
    throw new Error(
      'JetStreamServer emits no events; watch its logs and refinery_messages_* metrics',
    );
  }

  unwrap<T>(): T {
    return this.options.connection as unknown as T;
  }

  private async start(): Promise<void> {
    const { connection, service, streams, streamReplicas, streamLimits } = this.options;
    await ensureStreams(connection, streams, {
      replicas: streamReplicas,
      limits: streamLimits,
      logger: this.log,
    });
    if (this.options.reportStreamUsage !== false) {
      messagingMetrics();
      this.stopReporting = reportStreamUsage(
        connection,
        streams.map((s) => s.name),
      );
    }
    const consumers: { options: ResolvedConsumerOptions; handler: MessageHandler }[] = [];
    for (const [pattern, handler] of this.messageHandlers) {
      const options = consumerOptionsOf(handler.extras);
      if (!options) {
        this.log.warn(
          `handler "${pattern}" is not a @JetStreamConsumer; JetStreamServer ignores it`,
        );
        continue;
      }
      if (handler.next)
        throw new Error(`durable consumer "${options.durable}" has more than one handler`);
      consumers.push({ options, handler });
    }
    // A consumer split off a durable reads that one's position before anything changes it.
    const order = ({ options }: (typeof consumers)[number]) => (options.takesOverFrom ? 0 : 1);
    consumers.sort((a, b) => order(a) - order(b));
    for (const { options, handler } of consumers) {
      const batchMaxBytes =
        options.batchMaxBytes ?? this.options.batchMaxBytes ?? DEFAULT_BATCH_MAX_BYTES;
      const runner = new ConsumerRunner(
        connection,
        service,
        { ...options, batchMaxBytes },
        invoker(handler),
        this.log,
      );
      await runner.start();
      this.runners.push(runner);
      this.log.log(
        `consuming ${options.filterSubject} from ${options.stream} as ${options.durable}`,
      );
    }
  }
}

/** Nest handlers may return an Observable; the message is done when it completes. */
function invoker(handler: MessageHandler): HandlerInvoker {
  return async (payload, ctx) => {
    const result: unknown = await handler(payload, ctx);
    return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), ms)),
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
