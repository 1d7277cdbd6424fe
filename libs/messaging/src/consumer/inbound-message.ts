import type { Context } from '@opentelemetry/api';
import type { JsMsg } from '@nats-io/jetstream';

export interface InboundMessage<T = unknown> {
  data: T;
  subject: string;
  headers: Record<string, string>;
  stream: string;
  /** The message's sequence in its stream. */
  sequence: number;
  /**
   * When the stream stored it, in nanoseconds since the epoch: the same on every delivery, and
   * with `sequence` it names the message even across a stream deleted and created again.
   */
  storedAt: bigint;
  /** 1 on the first delivery. */
  deliveryCount: number;
  /** The producer's `Nats-Msg-Id`, when it set one. */
  msgId?: string;
  /** The trace this message belongs to: publish within it and the trace continues. */
  traceContext: Context;
}

/** One value per header name (the last one): what handlers and propagators expect. */
export function headersOf(msg: JsMsg): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!msg.headers) return headers;
  for (const [key, values] of msg.headers) {
    if (values.length > 0) headers[key] = values[values.length - 1];
  }
  return headers;
}

export function msgIdOf(headers: Record<string, string>): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'nats-msg-id');
  return key === undefined ? undefined : headers[key];
}
