import { Inject, Injectable } from '@nestjs/common';
import { context as otelContext, trace, type Context } from '@opentelemetry/api';
import {
  jetstream,
  type JetStreamClient,
  type JetStreamPublishOptions,
  type PubAck,
} from '@nats-io/jetstream';
import {
  errors,
  headers as natsHeaders,
  RequestError,
  type NatsConnection,
} from '@nats-io/transport-node';
import { ConnectionMonitor } from '../connection/connection-monitor';
import { messagingMetrics } from '../metrics/messaging-metrics';
import { NATS_CONNECTION } from '../module/tokens';
import { ATTR, baseAttributes, endSpan, SpanKind, tracer } from '../tracing/messaging-attributes';
import { injectTraceContext } from '../tracing/trace-headers';

export interface PublishOptions {
  /** Deterministic id (e.g. `<record_id>:<stage>`): a republish within 2 minutes is stored once. */
  msgId: string;
  headers?: Record<string, string>;
  /** The trace to continue; defaults to the active context. */
  context?: Context;
}

export interface PublishItem extends PublishOptions {
  subject: string;
  payload: object;
}

const ACK_TIMEOUT_MS = 5_000;
const ATTEMPTS = 3;
/** How long a publish waits for a reconnect before failing. */
const RECONNECT_WAIT_MS = 10_000;
/** Enough to keep the pipe full; bounds memory for very large batches. */
const MAX_IN_FLIGHT = 512;

/** Publishes JSON to JetStream and waits for the stream's ack; retries are safe thanks to the msg id. */
@Injectable()
export class JetStreamPublisher {
  private readonly js: JetStreamClient;
  private readonly monitor: ConnectionMonitor;
  private readonly metrics = messagingMetrics();

  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection) {
    this.js = jetstream(nc, { timeout: ACK_TIMEOUT_MS });
    this.monitor = ConnectionMonitor.of(nc);
  }

  async publish(subject: string, payload: object, options: PublishOptions): Promise<PubAck> {
    const parent = options.context ?? otelContext.active();
    const span = tracer().startSpan(
      `publish ${subject}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: { ...baseAttributes('publish', subject), [ATTR.messageId]: options.msgId },
      },
      parent,
    );
    const hdrs = natsHeaders();
    for (const [key, value] of Object.entries(options.headers ?? {})) hdrs.set(key, value);
    injectTraceContext(trace.setSpan(parent, span), hdrs);
    const started = performance.now();
    try {
      const ack = await this.send(subject, new TextEncoder().encode(JSON.stringify(payload)), {
        msgID: options.msgId,
        headers: hdrs,
      });
      this.metrics.publishDuration.observe(
        { stream: ack.stream },
        (performance.now() - started) / 1_000,
      );
      span.setAttributes({
        [ATTR.stream]: ack.stream,
        [ATTR.sequence]: ack.seq,
        [ATTR.duplicate]: ack.duplicate,
      });
      endSpan(span);
      return ack;
    } catch (error) {
      endSpan(span, error);
      throw new Error(`publish to ${subject} (msg id ${options.msgId}) failed: ${explain(error)}`, {
        cause: error,
      });
    }
  }

  /** Publishes all at once (pipelined) and resolves with every ack in order; rejects on the first failure. */
  async publishMany(items: readonly PublishItem[]): Promise<PubAck[]> {
    const acks = new Array<PubAck>(items.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < items.length) {
        const i = next++;
        const { subject, payload, ...options } = items[i];
        try {
          acks[i] = await this.publish(subject, payload, options);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, items.length) }, worker));
    return acks;
  }

  private async send(
    subject: string,
    data: Uint8Array,
    options: Partial<JetStreamPublishOptions>,
  ): Promise<PubAck> {
    for (let attempt = 1; ; attempt++) {
      await this.monitor.whenConnected(RECONNECT_WAIT_MS);
      try {
        return await this.js.publish(subject, data, options);
      } catch (error) {
        if (attempt >= ATTEMPTS || !transient(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }
}

/** Lost on a dying socket, or JetStream not answering yet after a restart. */
function transient(error: unknown): boolean {
  if (error instanceof errors.TimeoutError) return true;
  const cause = error instanceof Error ? error.cause : undefined;
  return error instanceof RequestError || cause instanceof RequestError;
}

function explain(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof RequestError && cause.isNoResponders())
    return 'no stream captures this subject (or JetStream is unavailable)';
  return error instanceof Error ? error.message : String(error);
}
