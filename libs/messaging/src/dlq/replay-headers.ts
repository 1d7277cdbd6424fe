import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

/**
 * What a replayed dead letter carries besides its original headers. The message goes back to
 * its original subject, where every consumer of that subject sees it; only the service that
 * gave up on it (Refinery-Replay-Service) treats it as a replay, the others as the duplicate
 * it is for them.
 */
export const REPLAY_HEADERS = {
  /** The DLQ sequence of the dead letter this message replays. */
  of: 'Refinery-Replay',
  /** The service whose consumer dead-lettered it. */
  service: 'Refinery-Replay-Service',
} as const;

export interface ReplayMark {
  /** The DLQ sequence of the dead letter replayed. */
  dlqSeq: number;
  /** The service that gave up on the message, and that may run it again. */
  service: string;
}

const find = (headers: Record<string, string>, name: string): string | undefined => {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
};

/** The replay a message is, from its headers; undefined for any message not replayed. */
export function replayOf(headers: Record<string, string>): ReplayMark | undefined {
  const of = find(headers, REPLAY_HEADERS.of);
  const service = find(headers, REPLAY_HEADERS.service);
  if (of === undefined || service === undefined || !/^\d+$/.test(of)) return undefined;
  return { dlqSeq: Number(of), service };
}

/** Whether `service` should give the message a fresh attempt: it is the one that gave up on it. */
export const isReplayFor = (headers: Record<string, string>, service: string): boolean =>
  replayOf(headers)?.service === service;

/**
 * The message id of a replay: the original one (or, without it, where the message was) with
 * the DLQ sequence, so JetStream's duplicate window does not drop it as the original, and a
 * retry of the same replay is stored once. A forced repeat (`attempt` 2 and on) gets its own.
 */
export function replayMsgId(
  letter: { seq: number; msgId: string | null; stream: string | null; streamSeq: number | null },
  attempt = 1,
): string {
  const original = letter.msgId ?? `${letter.stream ?? 'unknown'}:${letter.streamSeq ?? 0}`;
  const id = `${original}:replay:${letter.seq}`;
  return attempt > 1 ? `${id}:${attempt}` : id;
}

/**
 * The headers a replay is published with: the original ones (the trace context included), not
 * the Refinery-Dlq-* ones nor Nats-* ones, and the Refinery-Replay-* ones of this replay.
 */
export function replayHeaders(
  original: Record<string, string>,
  letter: { seq: number; service: string },
): MsgHdrs {
  const hdrs = natsHeaders();
  for (const [key, value] of Object.entries(original)) {
    if (!/^(nats-|refinery-dlq-|refinery-replay)/i.test(key)) hdrs.set(key, value);
  }
  hdrs.set(REPLAY_HEADERS.of, String(letter.seq));
  hdrs.set(REPLAY_HEADERS.service, letter.service);
  return hdrs;
}
