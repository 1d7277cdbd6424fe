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
  type MsgHdrs,
  type NatsConnection,
} from '@nats-io/transport-node';
import { ConnectionMonitor } from '../connection/connection-monitor';
import { AckPipeline, type PipelinedMessage } from './ack-pipeline';
import { messagingMetrics } from '../metrics/messaging-metrics';
import { NATS_CONNECTION } from '../module/tokens';
import { ATTR, baseAttributes, endSpan, SpanKind, tracer } from '../tracing/messaging-attributes';
import { traceHeadersOf } from '../tracing/trace-headers';

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
const MSG_ID_HEADER = 'Nats-Msg-Id';
const encoder = new TextEncoder();

/** Publishes JSON to JetStream and waits for the stream's ack; retries are safe thanks to the msg id. */
@Injectable()
export class JetStreamPublisher {
  private readonly js: JetStreamClient;
  private readonly monitor: ConnectionMonitor;
  private readonly pipeline: AckPipeline;
  private readonly metrics = messagingMetrics();

  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection) {
    this.js = jetstream(nc, { timeout: ACK_TIMEOUT_MS });
    this.monitor = ConnectionMonitor.of(nc);
    this.pipeline = new AckPipeline(nc);
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
    const hdrs = headersFor(options, traceHeadersOf(trace.setSpan(parent, span)));
    const started = performance.now();
    try {
      const ack = await this.send(subject, encoder.encode(JSON.stringify(payload)), {
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

  /**
   * Publishes all at once (pipelined, acks collected on one subscription) and resolves with
   * every ack in order. What got no ack is retried one by one; the msg ids make that safe.
   * One PRODUCER span covers the batch; each message carries its item's trace, or the batch's.
   */
  async publishMany(items: readonly PublishItem[]): Promise<PubAck[]> {
    if (items.length === 0) return [];
    const parent = otelContext.active();
    const span = tracer().startSpan(
      `publish ${items[0].subject}${items.length > 1 ? ` (+${items.length - 1})` : ''}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          ...baseAttributes('publish', items[0].subject),
          [ATTR.batchCount]: items.length,
        },
        links: items.flatMap((item) => {
          const linked = item.context && trace.getSpanContext(item.context);
          return linked ? [{ context: linked }] : [];
        }),
      },
      parent,
    );
    const batchContext = trace.setSpan(parent, span);
    try {
      const acks: PubAck[] = [];
      for (let start = 0; start < items.length; start += MAX_IN_FLIGHT) {
        const chunk = items.slice(start, start + MAX_IN_FLIGHT);
        acks.push(...(await this.publishChunk(chunk, batchContext)));
      }
      endSpan(span);
      return acks;
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
  }

  private async publishChunk(
    chunk: readonly PublishItem[],
    batchContext: Context,
  ): Promise<PubAck[]> {
    await this.monitor.whenConnected(RECONNECT_WAIT_MS);
    // Items without a trace of their own share the batch's: its headers are computed once.
    const batchTrace = traceHeadersOf(batchContext);
    const messages: PipelinedMessage[] = chunk.map((item) => ({
      subject: item.subject,
      data: encoder.encode(JSON.stringify(item.payload)),
      headers: headersFor(item, item.context ? traceHeadersOf(item.context) : batchTrace),
    }));
    const started = performance.now();
    const outcomes = await this.pipeline.publish(messages, ACK_TIMEOUT_MS);
    const seconds = (performance.now() - started) / 1_000;
    const latency = new Map<string, { observe(value: number): void }>();
    return Promise.all(
      outcomes.map(async (outcome, i) => {
        if (outcome.ok) {
          const { stream } = outcome.ack;
          if (!latency.has(stream))
            latency.set(stream, this.metrics.publishDuration.labels({ stream }));
          latency.get(stream)?.observe(seconds);
          return outcome.ack;
        }
        const { subject, msgId } = chunk[i];
        try {
          return await this.send(subject, messages[i].data, {
            msgID: msgId,
            headers: messages[i].headers,
          });
        } catch (error) {
          throw new Error(
            `publish to ${subject} (msg id ${msgId}) failed: ${outcome.error}, then ${explain(error)}`,
            {
              cause: error,
            },
          );
        }
      }),
    );
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

function headersFor(options: PublishOptions, trace: Record<string, string>): MsgHdrs {
  const hdrs = natsHeaders();
  for (const [key, value] of Object.entries(options.headers ?? {})) hdrs.set(key, value);
  hdrs.set(MSG_ID_HEADER, options.msgId);
  for (const [key, value] of Object.entries(trace)) hdrs.set(key, value);
  return hdrs;
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
