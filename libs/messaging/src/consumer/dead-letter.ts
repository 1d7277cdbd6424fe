import { subjectOf } from '@refinery/contracts';
import type { JetStreamClient, JsMsg, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { headersOf, msgIdOf } from './inbound-message';
import type { DeadLetterReason } from './retry-schedule';

export const DLQ_HEADERS = {
  reason: 'Refinery-Dlq-Reason',
  subject: 'Refinery-Dlq-Subject',
  stream: 'Refinery-Dlq-Stream',
  sequence: 'Refinery-Dlq-Sequence',
  deliveries: 'Refinery-Dlq-Deliveries',
  service: 'Refinery-Dlq-Service',
  consumer: 'Refinery-Dlq-Consumer',
  /** The original `Nats-Msg-Id`, when it had one: a replay derives its own from it. */
  msgId: 'Refinery-Dlq-Msg-Id',
} as const;

export interface DeadLetter {
  reason: DeadLetterReason;
  /** What went wrong, for the operator: the error message or the schema violations. */
  detail: string;
  service: string;
  consumer: string;
}

export interface DeliveredMessage {
  subject: string;
  stream: string;
  sequence: number;
  deliveryCount: number;
  headers: Record<string, string>;
}

const MAX_HEADER_VALUE = 1_024;

/** Header values are one line; keep them short enough to read in `nats stream view`. */
function headerValue(text: string): string {
  const line = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return line.length > MAX_HEADER_VALUE ? `${line.slice(0, MAX_HEADER_VALUE - 1)}…` : line;
}

/**
 * The original headers (trace context included) plus the Refinery-Dlq-* ones. Nats-* headers
 * are left out: the original msg id or expectations would make the DLQ reject the copy; the
 * msg id is kept as Refinery-Dlq-Msg-Id instead.
 */
export function deadLetterHeaders(message: DeliveredMessage, letter: DeadLetter): MsgHdrs {
  const hdrs = natsHeaders();
  for (const [key, value] of Object.entries(message.headers)) {
    if (!/^nats-/i.test(key) && !/^refinery-dlq-/i.test(key)) hdrs.set(key, headerValue(value));
  }
  hdrs.set(DLQ_HEADERS.reason, headerValue(`${letter.reason}: ${letter.detail}`));
  hdrs.set(DLQ_HEADERS.subject, message.subject);
  hdrs.set(DLQ_HEADERS.stream, message.stream);
  hdrs.set(DLQ_HEADERS.sequence, String(message.sequence));
  hdrs.set(DLQ_HEADERS.deliveries, String(message.deliveryCount));
  hdrs.set(DLQ_HEADERS.service, letter.service);
  hdrs.set(DLQ_HEADERS.consumer, letter.consumer);
  const msgId = msgIdOf(message.headers);
  if (msgId !== undefined) hdrs.set(DLQ_HEADERS.msgId, headerValue(msgId));
  return hdrs;
}

/**
 * Dedup key of the copy: a repeat (say, a crash between publish and term) stores it once.
 * The consumer is part of it because two consumers may both give up on the same message.
 */
export const deadLetterMsgId = (stream: string, sequence: number, consumer: string): string =>
  `${stream}:${sequence}:${consumer}`;

/** Copies the original bytes to `dlq.<service>`. */
export function publishDeadLetter(
  js: JetStreamClient,
  msg: JsMsg,
  letter: DeadLetter,
): Promise<PubAck> {
  const message: DeliveredMessage = {
    subject: msg.subject,
    stream: msg.info.stream,
    sequence: msg.info.streamSequence,
    deliveryCount: msg.info.deliveryCount,
    headers: headersOf(msg),
  };
  return js.publish(subjectOf('dlq', { service: letter.service }), msg.data, {
    msgID: deadLetterMsgId(message.stream, message.sequence, letter.consumer),
    headers: deadLetterHeaders(message, letter),
  });
}
